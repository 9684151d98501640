"""Draining the outbox: 1,000 due rows across 100 routes (20 server channels, 80 users' DMs) on real SQLite.

The Sender sleeps a few milliseconds per send (Discord's own latency is tens of milliseconds, so the
real gain is larger). Baseline, in the same run: the same Dispatcher limited to one route and one
send at a time — the old one-at-a-time behaviour. A second scenario makes one channel hang (each
of its sends takes 0.25 s, as discord.py retrying a 5xx would) and times how long every *other*
route waits for its alerts.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.delivery import Dispatcher, SentMessage
from bot.models import AlertKey, AlertView, Delivery, DmMode, FeedItem, NewItem, OutboxRow, TargetKind
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
SEND_S = 0.004
HUNG_S = 0.25
HUNG_GUILD = 1
SEQUENTIAL: dict[str, Any] = {"max_in_flight": 1, "max_routes": 1}


class SleepySender:
    """Sleeps per send; one guild's channel may be slow; counts deliveries per row and when each route finished."""

    def __init__(self, *, hung: bool = False) -> None:
        self.hung = hung
        self.sends: Counter[str] = Counter()
        self.started = time.perf_counter()
        self.last_other = 0.0  # when the last send to any route but the hung channel completed

    async def _send(self, nonce: str, channel_id: int, *, slow: bool) -> SentMessage:
        await asyncio.sleep(HUNG_S if slow else SEND_S)
        self.sends[nonce] += 1
        if not slow:
            self.last_other = time.perf_counter() - self.started
        return SentMessage(len(self.sends), channel_id)

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        return await self._send(nonce, channel_id, slow=self.hung and guild_id == HUNG_GUILD)

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        return await self._send(nonce, user_id, slow=False)

    async def edit(self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool) -> SentMessage:
        raise AssertionError("the bench only sends")

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        return True


async def _fill(storage: Storage, channels: int, users: int, alerts: int) -> int:
    """Enqueue ``alerts`` alerts for each of ``channels`` server channels and ``users`` DMs; return the row count."""
    feed = await storage.feeds.add("https://bench.example/rss", now=NOW)
    new = [NewItem(FeedItem(f"u{n}", f"t{n}", "", None, NOW), f"k{n}", True) for n in range(alerts)]
    items = [s.id for s in await storage.items.insert(feed.id, new, fetched_at=NOW)]
    for guild in range(1, channels + 1):
        await storage.guilds.set_alert_channel(guild, 1000 + guild, now=NOW)
    for user in range(1, users + 1):
        await storage.users.set_dm_mode(user, DmMode.ALWAYS, now=NOW)
    rows = [Delivery(AlertKey.for_item(item), TargetKind.CHANNEL, guild, guild, item)
            for item in items for guild in range(1, channels + 1)]
    rows += [Delivery(AlertKey.for_item(item), TargetKind.DM, user, 1, item)
             for item in items for user in range(1, users + 1)]
    await storage.outbox.enqueue(rows, now=NOW)
    return len(rows)


async def _drain(
    channels: int, users: int, alerts: int, *, hung: bool, **options: Any
) -> tuple[float, int, SleepySender]:
    """Fill a fresh database and drain it; return (seconds, rows, sender)."""
    view = AlertView("Bench alert", None, "Bench", "", NOW, (), ())

    async def render(row: OutboxRow) -> AlertView:
        return view

    with tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(Path(tmp) / "bench.sqlite3")
        try:
            total = await _fill(storage, channels, users, alerts)
            dispatcher = Dispatcher(storage, render, now=lambda: NOW, **options)
            sender = SleepySender(hung=hung)
            start = time.perf_counter()
            result = await dispatcher.drain(sender)
            elapsed = time.perf_counter() - start
            pending = await storage.outbox.pending_count()
        finally:
            await storage.close()
    if result.sent != total or pending or any(n != 1 for n in sender.sends.values()):
        raise RuntimeError(f"bench drain lost or duplicated rows: {result}, {pending} pending")
    return elapsed, total, sender


async def run(*, quick: bool = False) -> None:
    """Print rows/s one at a time (baseline) and in parallel, and how long a hung channel delays the others."""
    channels, users, alerts = (4, 16, 5) if quick else (20, 80, 10)
    sequential, total, _ = await _drain(channels, users, alerts, hung=False, **SEQUENTIAL)
    parallel, _, _ = await _drain(channels, users, alerts, hung=False)
    print(f"{total:,} due rows on {channels + users} routes ({channels} channels, {users} DMs), "
          f"{SEND_S * 1000:.0f} ms per send, real SQLite; every row sent exactly once")
    print(f"  {'one at a time (baseline)':34s}: {total / sequential:8,.0f} rows/s ({sequential:.2f} s)")
    print(f"  {'routes in parallel (8 sends)':34s}: {total / parallel:8,.0f} rows/s ({parallel:.2f} s)"
          f"  = {sequential / parallel:5.2f}x baseline")
    _, _, slow_sequential = await _drain(channels, users, alerts, hung=True, **SEQUENTIAL)
    _, _, slow_parallel = await _drain(channels, users, alerts, hung=True)
    print(f"  one channel hung ({HUNG_S:.2f} s per send, {alerts} alerts): the other routes' last alert after")
    print(f"    one at a time (baseline): {slow_sequential.last_other:6.2f} s;  in parallel: "
          f"{slow_parallel.last_other:6.2f} s  = {slow_sequential.last_other / slow_parallel.last_other:5.2f}x sooner")
