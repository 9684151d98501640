"""Issue 12's storage: role-ping rules per server, follow filters, the roles an outbox row pings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.render import Renderer
from bot.catalogue import Catalogue
from bot.models import (
    AlertKey,
    Delivery,
    FeedItem,
    FollowFilter,
    NewItem,
    PingRule,
    Stage,
    TargetKind,
)
from bot.privacy import Privacy
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
CH, DM = TargetKind.CHANNEL, TargetKind.DM


async def test_rules_are_per_server_unique_and_limited(storage: Storage) -> None:
    rule = PingRule(0, 10, 501, club_id="club:ac-milan", min_stage=Stage.HERE_WE_GO, max_tier=1)
    added = await storage.pings.add(rule, now=NOW, limit=2)
    again = await storage.pings.add(rule, now=NOW, limit=2)
    other = await storage.pings.add(PingRule(0, 20, 601), now=NOW, limit=2)
    second = await storage.pings.add(PingRule(0, 10, 502), now=NOW, limit=2)
    over = await storage.pings.add(PingRule(0, 10, 503), now=NOW, limit=2)
    assert added is not None and again is not None and other is not None and second is not None
    stolen = await storage.pings.remove(20, added[0].id)  # server 20 cannot remove server 10's rule
    rules = await storage.pings.of_guilds([10, 20, 30])
    removed = await storage.pings.remove(10, added[0].id)

    assert added[1] and not again[1] and again[0] == added[0] and over is None
    assert added[0] == PingRule(added[0].id, 10, 501, "club:ac-milan", None, Stage.HERE_WE_GO, 1)
    assert stolen is None and removed == added[0]
    assert {g: [r.role_id for r in rs] for g, rs in rules.items()} == {10: [501, 502], 20: [601]}
    assert [r.role_id for r in await storage.pings.of_guild(10)] == [502]


async def test_a_follow_keeps_its_filter_unless_one_is_given(storage: Storage) -> None:
    key = {"guild_id": 10, "user_id": 7, "entity_id": "player:radu-dragusin", "now": NOW, "limit": 50}
    await storage.follows.add(**key, dm_filter=FollowFilter(Stage.TALKS, 2))
    await storage.follows.add(**key)  # the Follow button: the filter stays
    [kept] = await storage.follows.of_user(guild_id=10, user_id=7)
    await storage.follows.add(**key, dm_filter=FollowFilter())  # /follow without options: no filter
    [cleared] = await storage.follows.of_user(guild_id=10, user_id=7)

    assert (kept.min_stage, kept.max_tier) == (Stage.TALKS, 2)
    assert (cleared.min_stage, cleared.max_tier) == (None, None)


async def test_a_pending_row_pings_for_every_plan_a_sent_row_keeps_its_roles(storage: Storage) -> None:
    item_id = await _item(storage)
    key = AlertKey.for_item(item_id)
    await storage.outbox.enqueue([Delivery(key, CH, 10, 10, item_id, ping_roles=(502,))], now=NOW)
    await storage.outbox.enqueue([Delivery(key, CH, 10, 10, item_id, ping_roles=(501, 502))], now=NOW)
    pending = await storage.outbox.find(key, CH, 10)
    assert pending is not None
    await storage.outbox.mark_sent(pending.id, message_id=1, channel_id=100, now=NOW)
    await storage.outbox.enqueue([Delivery(key, CH, 10, 10, item_id, ping_roles=(503,))], now=NOW)
    edit = await storage.outbox.find(key, CH, 10)

    assert pending.ping_roles == (501, 502)
    assert edit is not None and edit.action == "edit" and edit.ping_roles == (501, 502)


async def test_the_rendered_alert_pings_only_roles_still_configured_and_never_on_an_edit(
    storage: Storage, catalogue: Catalogue
) -> None:
    item_id = await _item(storage)
    key = AlertKey.for_item(item_id)
    kept = await storage.pings.add(PingRule(0, 10, 501), now=NOW, limit=20)
    gone = await storage.pings.add(PingRule(0, 10, 502), now=NOW, limit=20)
    assert kept is not None and gone is not None
    await storage.pings.remove(10, gone[0].id)
    await storage.outbox.enqueue([Delivery(key, CH, 10, 10, item_id, ping_roles=(501, 502))], now=NOW)
    render = Renderer(storage, catalogue, now=lambda: NOW)
    row = await storage.outbox.find(key, CH, 10)
    assert row is not None
    sent_view = await render(row)
    await storage.outbox.mark_sent(row.id, message_id=1, channel_id=100, now=NOW)
    await storage.outbox.enqueue([Delivery(key, CH, 10, 10, item_id, ping_roles=(501,))], now=NOW)
    edit = await storage.outbox.find(key, CH, 10)
    assert edit is not None
    edit_view = await render(edit)

    assert sent_view is not None and sent_view.ping_roles == (501,) and sent_view.why_id == row.id
    assert edit_view is not None and edit_view.ping_roles == () and edit_view.why_id == row.id


async def _item(storage: Storage) -> int:
    feed = await storage.feeds.add("https://news.example/rss", now=NOW)
    [stored] = await storage.items.insert(feed.id, [NewItem(FeedItem("u", "t", "", None, NOW), "k", True)],
                                          fetched_at=NOW)
    return stored.id


async def test_a_server_forgotten_after_it_left_loses_its_role_pings(storage: Storage) -> None:
    await storage.pings.add(PingRule(0, 10, 501), now=NOW, limit=20)
    await storage.pings.add(PingRule(0, 20, 601), now=NOW, limit=20)
    known = await storage.privacy.known_guilds()
    await storage.privacy.purge_guild(10)

    assert known == {10, 20}
    assert await storage.pings.of_guilds([10, 20]) == {20: [PingRule(2, 20, 601)]}


async def test_privacy_shows_a_follows_dm_filter(storage: Storage, catalogue: Catalogue) -> None:
    await storage.follows.add(guild_id=10, user_id=7, entity_id="player:radu-dragusin", now=NOW, limit=50,
                              dm_filter=FollowFilter(Stage.TALKS, 2))
    report = await Privacy(storage, catalogue, now=lambda: NOW, grace=timedelta(days=7)).report(7)

    assert [f.labels for f in report.follows] == [("Radu Drăgușin (Tottenham) · DMs from talks, tier ≤ 2",)]
