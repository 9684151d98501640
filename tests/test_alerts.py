"""Alert planning (pure), alert content, and the outbox delivery policy with a hand-written Sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.plan import PlanContext, Planned, alert_key, deadline_leagues, plan_deliveries
from bot.alerts.view import build_alert_view, safe_link
from bot.catalogue import Catalogue, Matcher
from bot.deadlines import Calendar, Window
from bot.delivery import (
    ChannelUnavailable,
    DeliveryError,
    Dispatcher,
    DmClosed,
    MessageGone,
    RateLimited,
    SentMessage,
    TemporaryFailure,
    backoff,
)
from bot.models import (
    Action,
    AlertKey,
    AlertView,
    Delivery,
    DmMode,
    Feed,
    FeedItem,
    Followers,
    GuildSettings,
    IngestedItem,
    NewItem,
    OutboxRow,
    Status,
    StoredItem,
    TargetKind,
    UserSettings,
)
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
CLOSE = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
FEED = Feed(1, "https://news.example/rss", "Calciomercato", None, None, None, 0, None, NOW, False, True)
CH, DM = TargetKind.CHANNEL, TargetKind.DM


def ingested(matcher: Matcher, seed_article: tuple[str, str], item_id: int = 5) -> IngestedItem:
    title, body = seed_article
    item = StoredItem(item_id, 1, "seed", title, body, "https://news.example/seed", NOW, NOW, True, "Calciomercato")
    return IngestedItem(item, matcher.match_item(title, body), FEED)


def context(catalogue: Catalogue, *, now: datetime = NOW, guilds: dict[int, GuildSettings] | None = None,
            users: dict[int, UserSettings] | None = None, leagues: tuple[str, ...] = ("Premier League",)) -> PlanContext:
    calendar = Calendar(tuple(Window(league, "January 2026", CLOSE) for league in leagues))
    return PlanContext(guilds or {}, users or {}, calendar, catalogue, now, timedelta(hours=72))


def hit(user: int, entity: str | None = "player:radu-dragusin", guild: int = 10, term: str | None = None) -> Followers:
    return Followers(entity, term, (guild,), (user,))


def test_alert_key_is_per_item(matcher: Matcher, seed_article: tuple[str, str]) -> None:
    assert alert_key(ingested(matcher, seed_article, 42)) == AlertKey.for_item(42)


def test_channel_delivery_needs_a_working_channel_and_the_tier_floor(
    catalogue: Catalogue, matcher: Matcher, seed_article: tuple[str, str]
) -> None:
    item = ingested(matcher, seed_article)
    guilds = {
        10: GuildSettings(10, alert_channel_id=100),
        20: GuildSettings(20, alert_channel_id=200, tier_floor=3),
        30: GuildSettings(30),  # no channel set
        40: GuildSettings(40, alert_channel_id=400, channel_failure="deleted"),
    }
    users = {u: UserSettings(u, DmMode.OFF) for u in (1, 2, 3, 4)}
    hits = [hit(1, guild=10), hit(2, guild=20), hit(3, guild=30), hit(4, guild=40)]
    ctx = context(catalogue, guilds=guilds, users=users)

    tier4 = plan_deliveries([Planned(item, hits, tier=4)], ctx)
    assert [(d.target_kind, d.target_id) for d in tier4] == [(CH, 10)]  # 20 hides tier 4; 30 and 40 can't
    tier3 = plan_deliveries([Planned(item, hits, tier=3)], ctx)
    assert [(d.target_kind, d.target_id, d.guild_id, d.item_id) for d in tier3] == [(CH, 10, 10, 5), (CH, 20, 20, 5)]
    unknown = plan_deliveries([Planned(item, hits, tier=None)], ctx)  # an unknown tier is not hidden
    assert len(unknown) == 2


@pytest.mark.parametrize(
    ("mode", "now", "wanted"),
    [
        (DmMode.ALWAYS, NOW, True),
        (DmMode.OFF, CLOSE - timedelta(hours=1), False),
        (DmMode.DEADLINE, NOW, False),  # 4 days 10 h before the close: outside 72 h
        (DmMode.DEADLINE, CLOSE - timedelta(hours=72), True),
        (DmMode.DEADLINE, CLOSE + timedelta(minutes=1), False),  # closed
    ],
)
def test_dm_modes(catalogue: Catalogue, matcher: Matcher, seed_article: tuple[str, str], mode: DmMode,
                  now: datetime, wanted: bool) -> None:
    ctx = context(catalogue, now=now, users={1: UserSettings(1, mode)})
    planned = plan_deliveries([Planned(ingested(matcher, seed_article), [hit(1)])], ctx)
    assert [(d.target_kind, d.target_id) for d in planned] == ([(DM, 1)] if wanted else [])


def test_server_lead_time_and_undeliverable_dms(catalogue: Catalogue, matcher: Matcher,
                                                 seed_article: tuple[str, str]) -> None:
    item = ingested(matcher, seed_article)
    ctx = context(catalogue, guilds={10: GuildSettings(10, deadline_lead_hours=120)},
                  users={2: UserSettings(2, DmMode.ALWAYS, dm_undeliverable=True)})
    planned = plan_deliveries([Planned(item, [hit(1), hit(2)])], ctx)
    assert [(d.target_kind, d.target_id) for d in planned] == [(DM, 1)]  # 106 h < 120 h; user 2's DMs are closed


def test_a_dm_counts_for_the_lowest_server_whose_settings_want_it(catalogue: Catalogue, matcher: Matcher,
                                                                 seed_article: tuple[str, str]) -> None:
    """Followed in three servers, 106 h before the close: server 10's 24 h lead says no, 20 and 30 say yes."""
    leads = {10: 24, 20: 120, 30: 120}
    ctx = context(catalogue, guilds={g: GuildSettings(g, deadline_lead_hours=h) for g, h in leads.items()})
    followers = Followers("player:radu-dragusin", None, (30, 10, 20), (1, 1, 1))
    planned = plan_deliveries([Planned(ingested(matcher, seed_article), [followers])], ctx)
    assert [(d.target_kind, d.target_id, d.guild_id) for d in planned] == [(DM, 1, 20)]


def test_a_players_linked_clubs_leagues_count(catalogue: Catalogue, matcher: Matcher,
                                              seed_article: tuple[str, str]) -> None:
    """Aké plays in the Premier League; the seed article links him with AC Milan, so Serie A's deadline counts."""
    item = ingested(matcher, seed_article)
    assert {"Premier League", "Serie A"} <= deadline_leagues("player:nathan-ake", item, catalogue)
    assert deadline_leagues("club:ac-milan", item, catalogue) == {"Serie A"}
    assert "Serie A" in deadline_leagues(None, item, catalogue)  # a term: everything the item mentions
    only_serie_a = context(catalogue, now=CLOSE - timedelta(hours=1), leagues=("Serie A",))
    planned = plan_deliveries([Planned(item, [hit(1, "player:nathan-ake")])], only_serie_a)
    assert [(d.target_kind, d.target_id) for d in planned] == [(DM, 1)]


def test_one_dm_per_user_and_one_post_per_server(catalogue: Catalogue, matcher: Matcher,
                                                 seed_article: tuple[str, str]) -> None:
    item = ingested(matcher, seed_article)
    ctx = context(catalogue, guilds={10: GuildSettings(10, alert_channel_id=1), 20: GuildSettings(20)},
                  users={1: UserSettings(1, DmMode.ALWAYS)})
    hits = [hit(1, guild=20), hit(1, guild=10), hit(1, "club:ac-milan", guild=10)]
    planned = plan_deliveries([Planned(item, hits)], ctx, key=lambda i: AlertKey.parse("story:7:talks"))
    talks = AlertKey.parse("story:7:talks")
    assert planned == [Delivery(talks, CH, 10, 10, 5), Delivery(talks, DM, 1, 10, 5)]


def test_alert_view_of_the_seed_article(catalogue: Catalogue, matcher: Matcher, seed_article: tuple[str, str]) -> None:
    item = ingested(matcher, seed_article).item
    mentioned = ingested(matcher, seed_article).match.entity_ids()
    view = build_alert_view(item, mentioned, catalogue)
    assert view.lines[0].startswith("Radu Drăgușin (Tottenham) → AC Milan")
    assert "Tottenham" not in view.lines[0].split("→")[1]  # his own club is not a destination
    assert (view.follow_entity_id, view.follow_label) == ("player:radu-dragusin", "Radu Drăgușin")
    assert view.outlet == "Calciomercato" and view.link == "https://news.example/seed"
    assert len(view.summary) <= 280 and view.stage is None and view.outlets == ()
    assert safe_link("javascript:alert(1)") is None and safe_link("HTTPS://x.example/a") == "HTTPS://x.example/a"


# ------------------------------------------------------------------ delivery policy


@dataclass
class FakeSender:
    """Records what would be sent; ``errors`` are raised, in order, instead of sending.

    ``errors_for[(kind, target)]`` are raised, in order, for that route only (routes are delivered
    concurrently, so which route takes the next of ``errors`` is not fixed when several are due).
    """

    errors: list[DeliveryError] = field(default_factory=list)
    errors_for: dict[tuple[str, int], list[DeliveryError]] = field(default_factory=dict)
    sent: list[tuple[str, int]] = field(default_factory=list)
    message_ids: dict[tuple[str, int], int] = field(default_factory=dict)  # the newest message id per target
    notices: list[tuple[int, str]] = field(default_factory=list)
    notify_ok: bool = True
    next_id: int = 1000

    def _result(self, kind: str, target: int, channel: int) -> SentMessage:
        if self.errors_for.get((kind, target)):
            raise self.errors_for[(kind, target)].pop(0)
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((kind, target))
        self.next_id += 1
        self.message_ids[(kind, target)] = self.next_id
        return SentMessage(self.next_id, channel)

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        return self._result("channel", channel_id, channel_id)

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        return self._result("dm", user_id, 9000 + user_id)

    async def edit(self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool) -> SentMessage:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(("edit", message_id))
        return SentMessage(message_id, channel_id)

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        self.notices.append((guild_id, text))
        return self.notify_ok


class Harness:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.now = NOW
        self.item_id: int | None = None
        view = AlertView("t", None, None, "", NOW, (), ())

        async def render(row: OutboxRow) -> AlertView | None:
            return view

        self.dispatcher = Dispatcher(storage, render, now=lambda: self.now, max_attempts=3)

    async def enqueue(self, *deliveries: tuple[TargetKind, int, int]) -> None:
        if self.item_id is None:
            feed = await self.storage.feeds.add("https://news.example/rss", now=NOW)
            [stored] = await self.storage.items.insert(
                feed.id, [NewItem(FeedItem("u", "t", "", None, NOW), "k", True)], fetched_at=NOW)
            self.item_id = stored.id
        rows = [Delivery(AlertKey.for_item(1), kind, target, guild, self.item_id) for kind, target, guild in deliveries]
        await self.storage.outbox.enqueue(rows, now=self.now)

    async def row(self, kind: TargetKind, target: int) -> OutboxRow:
        row = await self.storage.outbox.find(AlertKey.for_item(1), kind, target)
        assert row is not None
        return row


@pytest.fixture
async def harness(storage: Storage) -> Harness:
    await storage.guilds.set_alert_channel(10, 100, now=NOW)
    await storage.users.set_dm_mode(1, DmMode.ALWAYS, now=NOW)
    return Harness(storage)


async def test_sent_only_after_confirmation(harness: Harness) -> None:
    await harness.enqueue((CH, 10, 10), (DM, 1, 10))
    sender = FakeSender()
    result = await harness.dispatcher.drain(sender)
    assert (result.sent, sorted(sender.sent)) == (2, [("channel", 100), ("dm", 1)])
    channel, dm = await harness.row(CH, 10), await harness.row(DM, 1)
    assert (channel.status, channel.channel_id) == (Status.SENT, 100)
    assert (dm.status, dm.channel_id) == (Status.SENT, 9001)
    assert (channel.message_id, dm.message_id) == (sender.message_ids["channel", 100], sender.message_ids["dm", 1])
    assert (await harness.dispatcher.drain(sender)).sent == 0  # nothing twice


async def test_temporary_failures_back_off_then_give_up(harness: Harness) -> None:
    await harness.enqueue((CH, 10, 10))
    sender = FakeSender(errors=[TemporaryFailure("Discord 503")] * 3)
    for attempt in (1, 2):
        await harness.dispatcher.drain(sender)
        row = await harness.row(CH, 10)
        assert (row.status, row.attempts) == (Status.PENDING, attempt)
        assert row.next_attempt_at == harness.now + backoff(attempt, timedelta(seconds=30), timedelta(hours=1))
        assert (await harness.dispatcher.drain(sender)).retried == 0  # not due again before its time
        harness.now = row.next_attempt_at
    await harness.dispatcher.drain(sender)
    row = await harness.row(CH, 10)
    assert row.status is Status.DROPPED and row.last_error == "gave up after 3 attempts: Discord 503"
    assert backoff(20, timedelta(seconds=30), timedelta(hours=1)) == timedelta(hours=1)


async def test_rate_limits_never_count_towards_giving_up(harness: Harness) -> None:
    await harness.enqueue((CH, 10, 10))
    await harness.dispatcher.drain(FakeSender(errors=[RateLimited(90.0)]))
    row = await harness.row(CH, 10)
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.PENDING, 0, NOW + timedelta(seconds=90))
    assert await harness.dispatcher.seconds_until_due() == 90.0


async def test_a_lost_channel_drops_its_rows_and_tells_the_server_once(harness: Harness) -> None:
    await harness.enqueue((CH, 10, 10), (DM, 1, 10))
    sender = FakeSender(errors_for={("channel", 100): [ChannelUnavailable("the channel was deleted")]})
    await harness.dispatcher.drain(sender)
    await harness.dispatcher.channel_failed(10, "again", sender)
    settings = await harness.storage.guilds.get(10)
    assert settings.channel_failure == "the channel was deleted" and settings.failure_notified
    assert [g for g, _ in sender.notices] == [10] and "<#100>" in sender.notices[0][1]
    assert (await harness.row(CH, 10)).status is Status.DROPPED
    assert sender.sent == [("dm", 1)]  # DMs are unaffected


async def test_closed_dms_mark_the_user(harness: Harness) -> None:
    await harness.enqueue((DM, 1, 10))
    await harness.dispatcher.drain(FakeSender(errors=[DmClosed("50007")]))
    assert (await harness.storage.users.get(1)).dm_undeliverable
    assert (await harness.row(DM, 1)).status is Status.DROPPED


async def test_settings_changed_since_planning_drop_the_row(harness: Harness) -> None:
    await harness.enqueue((CH, 10, 10), (DM, 1, 10))
    await harness.storage.guilds.set_alert_channel(10, None, now=NOW)
    await harness.storage.users.set_dm_mode(1, DmMode.OFF, now=NOW)
    sender = FakeSender()
    assert (await harness.dispatcher.drain(sender)).dropped == 2 and sender.sent == []
    assert (await harness.row(CH, 10)).last_error == "channel alerts are off"


async def test_an_edit_of_a_deleted_message_posts_anew(harness: Harness) -> None:
    await harness.enqueue((CH, 10, 10))
    sender = FakeSender()
    await harness.dispatcher.drain(sender)
    await harness.enqueue((CH, 10, 10))  # the same key again: an edit
    assert (await harness.row(CH, 10)).action is Action.EDIT
    sender.errors = [MessageGone("10008")]
    await harness.dispatcher.drain(sender)
    row = await harness.row(CH, 10)
    assert sender.sent == [("channel", 100), ("channel", 100)] and row.status is Status.SENT
    assert row.message_id == 1002


async def test_a_bug_in_the_sender_is_retried_not_lost(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    await harness.enqueue((CH, 10, 10))

    class Broken(FakeSender):
        async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
            raise KeyError("oops")

    await harness.dispatcher.drain(Broken())
    row = await harness.row(CH, 10)
    assert (row.status, row.attempts, row.last_error) == (Status.PENDING, 1, "internal error: KeyError")
    assert "unexpected error delivering outbox row" in caplog.text


def test_story_alert_keys_one_alert_per_story() -> None:
    """Reports of a story an alert carries reuse its key; a stage climb or a new story gets a new key."""
    from datetime import UTC, datetime

    from bot.alerts.plan import StoryAlertKeys
    from bot.models import MatchResult, Stage, StoryUpdate

    now = datetime(2026, 1, 29, tzinfo=UTC)
    feed = Feed(1, "https://x", None, None, None, None, 0, None, now, False, True)

    def ingested(item_id: int, *updates: StoryUpdate) -> IngestedItem:
        item = StoredItem(item_id, 1, f"g{item_id}", "t", "", None, now, now, True)
        return IngestedItem(item, MatchResult("t", ()), feed, (), updates)

    talks_a = StoryUpdate(1, "p", "milan", Stage.TALKS, None, True)
    interest_b = StoryUpdate(2, "q", "milan", Stage.INTEREST, None, True)
    k = AlertKey.parse
    keys = StoryAlertKeys({k("story:9:interest"): k("story:7:bid")})
    assert str(keys(ingested(10, talks_a, interest_b))) == "story:1:talks"  # primary: the most advanced
    assert str(keys(ingested(11, StoryUpdate(2, "q", "milan", Stage.INTEREST, Stage.INTEREST, False)))) == "story:1:talks"
    assert str(keys(ingested(12, StoryUpdate(1, "p", "milan", Stage.AGREEMENT, Stage.TALKS, False)))) == "story:1:agreement"
    assert str(keys(ingested(13, StoryUpdate(9, "r", "roma", Stage.INTEREST, None, False)))) == "story:7:bid"  # known
    assert keys(ingested(14)) == AlertKey.for_item(14)  # no rumour: one alert per item
    assert keys.carried[k("story:1:talks")] == [k("story:1:talks"), k("story:2:interest")]


def test_alert_summary_drops_photo_credits(catalogue) -> None:
    """Photo credits are not content: an alert's summary never shows them."""
    from datetime import UTC, datetime


    now = datetime(2026, 1, 29, tzinfo=UTC)
    item = StoredItem(1, 1, "g", "Milan meet Drăgușin", "(Photo by Justin Setterfield/Getty Images) AC Milan met his agents.",
                      None, now, now, True)
    view = build_alert_view(item, ["player:radu-dragusin"], catalogue)
    assert view.summary == "AC Milan met his agents."
