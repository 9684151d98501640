"""Privacy use cases on real SQLite with a frozen clock: servers left while offline, forgetting a user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.catalogue import Catalogue
from bot.models import DmMode
from bot.privacy import Privacy
from bot.storage import Storage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A, B, C = 111, 222, 333
FAN, OTHER = 5, 6


async def follow(storage: Storage, guild: int, user: int, entity: str) -> None:
    await storage.follows.add(guild_id=guild, user_id=user, now=NOW, limit=50, entity_id=entity)


async def test_servers_left_while_offline_are_found_at_start(storage: Storage, catalogue: Catalogue) -> None:
    """On connecting: a server with data the bot is no longer in gets a deletion date; one it is back in
    loses its pending deletion; after the grace period only the left server's data is gone."""
    clock = [NOW]
    privacy = Privacy(storage, catalogue, now=lambda: clock[0], grace=timedelta(days=7))
    for guild in (A, B, C):
        await follow(storage, guild, FAN, "player:radu-dragusin")
    await storage.guilds.set_tier_floor(B, 2, now=NOW)
    await privacy.left_guild(C)  # left earlier, re-added while the bot was offline

    gone = await privacy.reconcile([A, C])
    clock[0] = NOW + timedelta(days=7, minutes=1)
    purged = await privacy.purge_due()

    assert gone == [B] and purged == [B]
    remaining = {f.guild_id for g in (A, B, C) for f in await storage.follows.of_user(guild_id=g, user_id=FAN)}
    assert remaining == {A, C}
    assert (await storage.guilds.get(B)).tier_floor == 5  # back to the defaults: its row is gone
    assert await storage.privacy.planned_departures() == set()


async def test_forget_deletes_only_that_user_everywhere(storage: Storage, catalogue: Catalogue) -> None:
    """Follows in every server, DM settings and the user's id on feeds they added go; nobody else's data."""
    privacy = Privacy(storage, catalogue, now=lambda: NOW, grace=timedelta(days=7))
    await follow(storage, A, FAN, "player:radu-dragusin")
    await storage.follows.add(guild_id=B, user_id=FAN, now=NOW, limit=50, term="wonderkid", term_norm="wonderkid")
    await follow(storage, A, OTHER, "club:ac-milan")
    await storage.users.set_dm_mode(FAN, DmMode.ALWAYS, now=NOW)
    await storage.feeds.add("https://n.example/rss", now=NOW, guild_id=A, added_by=FAN)

    before = await privacy.report(FAN)
    erased = await privacy.forget(FAN)
    after = await privacy.report(FAN)

    assert [(f.guild_id, f.labels) for f in before.follows] == [(A, ("Radu Drăgușin (Tottenham)",)),
                                                                (B, ("“wonderkid”",))]
    assert before.dm_mode == "always" and before.feeds_added == ((A, "https://n.example/rss"),)
    assert (erased.follows, erased.settings, erased.feeds) == (2, 1, 1)
    assert after.empty
    assert [f.entity_id for f in await storage.follows.of_user(guild_id=A, user_id=OTHER)] == ["club:ac-milan"]
    assert [f.url for f in await storage.feeds.all(A)] == ["https://n.example/rss"]  # the server keeps its feed
