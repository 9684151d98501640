"""Per-follow filters (issue 12, part 5): a follow's stage and tier filter governs that fan's DMs only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from tests.e2e.helpers import OLD_ITEM, START, Mercato, rss, start_mercato
from tests.fakediscord import FakeDiscord

# From a CaughtOffside feed (tier 5, an aggregator) citing nobody: tier-5 interest.
INTEREST_TIER5 = ("co-roma", "Roma interested in Drăgușin", "AS Roma are interested in Radu Drăgușin.",
                  START + timedelta(minutes=10))
# From the Calciomercato feed, citing Fabrizio Romano (tier 1): talks.
TALKS_TIER1 = ("romano-roma", "Roma in talks for Drăgușin",
               "AS Roma are in talks with Tottenham over Radu Drăgușin, according to Fabrizio Romano.",
               START + timedelta(minutes=20))


async def test_a_fan_following_from_talks_tier_2_gets_no_dm_for_tier_5_interest(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """Tier-5 interest: the filtered fan gets no DM, an unfiltered fan does, the server's channel still posts it."""
    fake = fake_discord
    picky = fake.member_id
    keen = int(fake.add_user("keen-fan")["id"])
    elsewhere = fake.add_guild("Elsewhere FC", owner_id=fake.owner_id)  # no alert channel there
    fake.add_channel(elsewhere, "general")
    fake.add_member(elsewhere, keen)
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.primed_feed(OLD_ITEM, path="/caught")
        m.feeds.add("/caught", rss(OLD_ITEM, title="CaughtOffside"))
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        followed = await m.command("follow", {"name": "dragusin", "min_stage": "talks", "max_tier": 2})
        await m.command("dm", {"mode": "always"})
        await m.command("follow", {"name": "dragusin"}, guild=elsewhere, user=keen)
        await m.command("dm", {"mode": "always"}, user=keen)
        listed = await m.command("following")

        m.feeds.add("/caught", rss(OLD_ITEM, INTEREST_TIER5, title="CaughtOffside"))
        await m.publish(OLD_ITEM)  # the poll interval passes: both feeds are polled
        [interest_dm] = await fake.wait_for(lambda: fake.dm_messages(keen))
        [interest_post] = await m.channel_alerts(fake.channel_id)
        await m.publish(OLD_ITEM, TALKS_TIER1)
        await fake.wait_for(lambda: fake.dm_messages(picky))
        await m.until(drained(m))
        picky_dms = [dm["embeds"][0]["title"] for dm in fake.dm_messages(picky)]
        cleared = await m.command("follow", {"name": "dragusin"})  # /follow again without a filter: none
        [follow] = await m.storage.follows.of_user(guild_id=fake.guild_id, user_id=picky)

    assert followed.content.startswith("Following **Radu Drăgușin (Tottenham)** in this server.\n"
                                       "Your DMs for it: only from talks, tier ≤ 2.")
    assert "**Radu Drăgușin (Tottenham)** · DMs from talks, tier ≤ 2 — " in listed.content
    assert interest_dm["embeds"][0]["title"] == INTEREST_TIER5[1]
    assert {"name": "Tier", "value": "5", "inline": True} in interest_dm["embeds"][0]["fields"]
    assert picky_dms == [TALKS_TIER1[1]]  # tier-5 interest: below talks, and less reliable than tier 2
    # The server's channel is governed by the server (tier floor 5): the filtered follow still routes it there.
    assert interest_post["embeds"][0]["title"] == INTEREST_TIER5[1]
    assert "Your DMs for it" not in cleared.content and (follow.min_stage, follow.max_tier) == (None, None)


def drained(m: Mercato) -> Callable[[], Awaitable[bool]]:
    """A condition for ``m.until``: nothing is waiting in the outbox."""
    async def check() -> bool:
        return await m.storage.outbox.pending_count() == 0

    return check
