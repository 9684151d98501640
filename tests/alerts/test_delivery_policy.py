"""The outbox delivery policy with a hand-written Sender: sent once, backoff, rate limits, lost targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

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
    FeedItem,
    NewItem,
    OutboxRow,
    Status,
    TargetKind,
)
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
CH, DM = TargetKind.CHANNEL, TargetKind.DM


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


