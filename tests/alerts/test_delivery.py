"""Parallel delivery on real SQLite with a hand-written Sender: routes never wait for each other.

A route is a server's alert channel or a user's DMs. Each test enqueues rows on several routes and
drives :meth:`Dispatcher.drain` with :class:`RouteSender`, whose sends can be held on a gate (a hung
channel), fail, or take a few milliseconds, and which records what ran at the same time.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.delivery import DeliveryError, Dispatcher, MessageRejected, SentMessage, TemporaryFailure
from bot.models import AlertKey, AlertView, Delivery, DmMode, FeedItem, NewItem, OutboxRow, Status, TargetKind
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
CH, DM = TargetKind.CHANNEL, TargetKind.DM
Route = tuple[str, int]


class RouteSender:
    """A Sender that records, per route, what it sent and how many sends overlapped.

    ``gates[route]`` holds that route's sends until set; ``failures[route]`` are raised in order;
    every send takes ``delay`` seconds. Rows are told apart by their nonce (``mercato-<row id>``).
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.gates: dict[Route, asyncio.Event] = {}
        self.failures: dict[Route, list[DeliveryError]] = {}
        self.sent: list[tuple[Route, int]] = []  # (route, row id) in the order Discord confirmed them
        self.tried: Counter[Route] = Counter()
        self.active: Counter[Route] = Counter()
        self.most_at_once = 0
        self.most_at_once_per_route = 0
        self.cancelled: list[Route] = []
        self.on_confirm: Callable[[], object] | None = None  # called as each send is confirmed

    async def _send(self, route: Route, nonce: str, channel_id: int) -> SentMessage:
        self.tried[route] += 1
        self.active[route] += 1
        self.most_at_once = max(self.most_at_once, sum(self.active.values()))
        self.most_at_once_per_route = max(self.most_at_once_per_route, self.active[route])
        try:
            if route in self.gates:
                await self.gates[route].wait()
            await asyncio.sleep(self.delay)
            if self.failures.get(route):
                raise self.failures[route].pop(0)
            row_id = int(nonce.removeprefix("mercato-"))
            self.sent.append((route, row_id))
            if self.on_confirm is not None:
                self.on_confirm()
            return SentMessage(10_000 + row_id, channel_id)
        except asyncio.CancelledError:
            self.cancelled.append(route)
            raise
        finally:
            self.active[route] -= 1

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        return await self._send(("channel", guild_id), nonce, channel_id)

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        return await self._send(("dm", user_id), nonce, 9000 + user_id)

    async def edit(self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool) -> SentMessage:
        raise AssertionError("no edits in these tests")

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        return True

    def rows_of(self, route: Route) -> list[int]:
        return [row for r, row in self.sent if r == route]


class Outbox:
    """Rows on a few routes: servers 10 and 20 (channels 100, 200) and users 1–5 (DMs always)."""

    def __init__(self, storage: Storage, **dispatcher_options: Any) -> None:
        self.storage = storage
        self.now = NOW
        self.item_id = 0
        self.keys = 0
        view = AlertView("t", None, None, "", NOW, (), ())

        async def render(row: OutboxRow) -> AlertView | None:
            return view

        self.dispatcher = Dispatcher(storage, render, now=lambda: self.now, **dispatcher_options)

    async def setup(self) -> Outbox:
        feed = await self.storage.feeds.add("https://news.example/rss", now=NOW)
        [stored] = await self.storage.items.insert(
            feed.id, [NewItem(FeedItem("u", "t", "", None, NOW), "k", True)], fetched_at=NOW)
        self.item_id = stored.id
        for guild in (10, 20):
            await self.storage.guilds.set_alert_channel(guild, guild * 10, now=NOW)
        for user in range(1, 6):
            await self.storage.users.set_dm_mode(user, DmMode.ALWAYS, now=NOW)
        return self

    async def enqueue(self, *routes: tuple[TargetKind, int]) -> list[int]:
        """One new alert per route given (in that order); return the row ids."""
        rows = []
        for kind, target in routes:
            self.keys += 1
            guild = target if kind is CH else 10
            rows.append(Delivery(AlertKey.for_item(self.keys), kind, target, guild, self.item_id))
        await self.storage.outbox.enqueue(rows, now=self.now)
        found = [await self.storage.outbox.find(d.alert_key, d.target_kind, d.target_id) for d in rows]
        return [row.id for row in found if row is not None]

    async def row(self, row_id: int) -> OutboxRow:
        row = await self.storage.outbox.get(row_id)
        assert row is not None
        return row


@pytest.fixture
async def outbox(storage: Storage) -> Outbox:
    return await Outbox(storage).setup()


async def until(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.002)


async def running(drain: Awaitable[object]) -> asyncio.Task[object]:
    task = asyncio.ensure_future(drain)
    await asyncio.sleep(0)
    return task


async def test_a_hung_channel_holds_up_no_other_channel_nor_dm(outbox: Outbox) -> None:
    [stuck, *others] = await outbox.enqueue((CH, 10), (CH, 20), (DM, 1), (DM, 2), (DM, 3))
    sender = RouteSender()
    sender.gates[("channel", 10)] = asyncio.Event()
    drain = await running(outbox.dispatcher.drain(sender))

    await until(lambda: len(sender.sent) == 4)
    assert not drain.done() and (await outbox.row(stuck)).status is Status.PENDING
    assert [(await outbox.row(r)).status for r in others] == [Status.SENT] * 4

    sender.gates[("channel", 10)].set()
    result = await asyncio.wait_for(drain, 2)
    assert result.sent == 5 and sender.rows_of(("channel", 10)) == [stuck]
    assert sorted(row for _, row in sender.sent) == sorted([stuck, *others])  # each once


async def test_each_route_in_order_one_at_a_time_routes_in_parallel_within_the_bound(storage: Storage) -> None:
    outbox = await Outbox(storage, max_in_flight=3).setup()
    routes = [(CH, 10), (CH, 20), (DM, 1), (DM, 2), (DM, 3), (DM, 4), (DM, 5)]
    ids = [await outbox.enqueue(*routes) for _ in range(3)]  # three alerts per route, one after the other
    sender = RouteSender(delay=0.005)

    result = await outbox.dispatcher.drain(sender)

    assert result.sent == 21 and len(set(sender.sent)) == 21
    for n, (kind, target) in enumerate(routes):
        assert sender.rows_of((kind.value, target)) == [batch[n] for batch in ids]  # enqueued order
    assert sender.most_at_once_per_route == 1
    assert sender.most_at_once == 3  # parallel, never over max_in_flight


async def test_a_failed_route_waits_behind_its_failed_row_the_others_go_on(outbox: Outbox) -> None:
    first, dm = await outbox.enqueue((CH, 10), (DM, 1))
    [second] = await outbox.enqueue((CH, 10))
    sender = RouteSender()
    sender.failures[("channel", 10)] = [TemporaryFailure("Discord 503")]

    await outbox.dispatcher.drain(sender)
    failed, behind = await outbox.row(first), await outbox.row(second)
    retry_at = NOW + timedelta(seconds=30)
    assert (failed.attempts, failed.next_attempt_at) == (1, retry_at)
    assert (behind.attempts, behind.next_attempt_at, behind.status) == (0, retry_at, Status.PENDING)
    assert sender.tried[("channel", 10)] == 1 and sender.rows_of(("dm", 1)) == [dm]

    outbox.now = NOW + timedelta(seconds=10)  # a new alert for the held channel waits behind it too
    [third] = await outbox.enqueue((CH, 10))
    await outbox.dispatcher.drain(sender)
    assert sender.tried[("channel", 10)] == 1 and (await outbox.row(third)).next_attempt_at == retry_at
    assert await outbox.dispatcher.seconds_until_due() == 20.0  # nothing due before the retry: no spinning

    outbox.now = retry_at
    await outbox.dispatcher.drain(sender)
    assert sender.rows_of(("channel", 10)) == [first, second, third]


async def test_a_rejected_message_does_not_hold_its_route(outbox: Outbox) -> None:
    refused, fine = await outbox.enqueue((CH, 10), (CH, 10))
    sender = RouteSender()
    sender.failures[("channel", 10)] = [MessageRejected("Discord 400 50035: Invalid Form Body")]

    await outbox.dispatcher.drain(sender)

    assert sender.rows_of(("channel", 10)) == [fine]
    assert (await outbox.row(refused)).attempts == 1


async def test_slow_sends_give_back_their_slot(storage: Storage) -> None:
    """Hung routes (discord.py sleeping out a 429 or retrying a 5xx) do not use up max_in_flight."""
    outbox = await Outbox(storage, max_in_flight=1, patience=0.02).setup()
    stuck = await outbox.enqueue((CH, 10), (CH, 20))
    free = await outbox.enqueue((DM, 1), (DM, 2), (DM, 3))
    sender = RouteSender()
    for guild in (10, 20):
        sender.gates[("channel", guild)] = asyncio.Event()
    drain = await running(outbox.dispatcher.drain(sender))

    await until(lambda: len(sender.sent) == 3)
    assert sorted(row for _, row in sender.sent) == free and sender.most_at_once == 3  # 2 parked + 1 slot
    for gate in sender.gates.values():
        gate.set()
    assert (await asyncio.wait_for(drain, 2)).sent == 5
    assert {row for _, row in sender.sent} == {*stuck, *free}


async def test_a_running_drain_delivers_new_rows_at_once_and_never_twice(outbox: Outbox) -> None:
    [stuck] = await outbox.enqueue((CH, 10))
    sender = RouteSender()
    sender.gates[("channel", 10)] = asyncio.Event()
    drain = await running(outbox.dispatcher.drain(sender))
    await until(lambda: sender.tried[("channel", 10)] == 1)

    fresh = await outbox.enqueue((DM, 1), (CH, 20), (CH, 10))  # a poll tick while the channel hangs
    for _ in range(5):
        outbox.dispatcher.wake()
        await asyncio.sleep(0.005)
    await until(lambda: len(sender.sent) == 2)
    assert sorted(row for _, row in sender.sent) == sorted(fresh[:2])
    assert sender.tried[("channel", 10)] == 1  # its second alert waits for the first, on its route

    sender.gates[("channel", 10)].set()
    await asyncio.wait_for(drain, 2)
    assert sender.rows_of(("channel", 10)) == [stuck, fresh[2]]
    assert Counter(row for _, row in sender.sent) == Counter([stuck, *fresh])  # every row exactly once


async def test_stopping_mid_send_keeps_the_row_and_records_what_was_confirmed(outbox: Outbox) -> None:
    """cog_unload cancels the drain: a send still waiting stays pending; one Discord confirmed is marked sent."""
    [stuck, confirmed] = await outbox.enqueue((CH, 10), (DM, 1))
    sender = RouteSender()
    sender.gates = {("channel", 10): asyncio.Event(), ("dm", 1): asyncio.Event()}
    drain = await running(outbox.dispatcher.drain(sender))
    await until(lambda: sender.tried[("channel", 10)] == sender.tried[("dm", 1)] == 1)

    sender.on_confirm = drain.cancel  # the bot stops just as Discord confirms the DM
    sender.gates[("dm", 1)].set()
    with pytest.raises(asyncio.CancelledError):
        await drain

    assert sender.rows_of(("dm", 1)) == [confirmed] and sender.cancelled == [("channel", 10)]
    assert (await outbox.row(confirmed)).status is Status.SENT  # so it is never sent again
    assert (await outbox.row(stuck)).status is Status.PENDING
    sender.on_confirm = None
    sender.gates[("channel", 10)].set()
    assert (await outbox.dispatcher.drain(sender)).sent == 1  # the next drain delivers it, once
    assert sender.rows_of(("channel", 10)) == [stuck] and sender.rows_of(("dm", 1)) == [confirmed]
