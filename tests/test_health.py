"""The health verdict and the HTTP endpoint's start-up, with a frozen clock and real SQLite."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import ConfigError
from bot.health import HealthMonitor, start_monitoring
from bot.metrics import Metrics
from bot.scheduling import Poller, TickReport
from bot.storage import Storage
from bot.storage.db import to_db

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


def poller(clock: list[datetime]) -> Poller:
    async def cycle(now: datetime, interval: timedelta) -> TickReport:
        return TickReport(now, False, interval)

    async def never(now: datetime) -> bool:
        return False

    async def nothing(now: datetime) -> None:
        return None

    return Poller(cycle, is_deadline=never, on_deadline_start=nothing, now=lambda: clock[0],
                  interval=timedelta(minutes=5), deadline_interval=timedelta(minutes=1))


async def test_each_problem_is_named(storage: Storage) -> None:
    """Disconnected, no tick for too long, and a delivery overdue by more than 15 minutes: three problems."""
    clock = [NOW]
    connected = [True]
    ticks = poller(clock)
    monitor = HealthMonitor(storage, Metrics(), now=lambda: clock[0], poll_interval=timedelta(minutes=5),
                            gateway=lambda: connected[0])
    monitor.watch(ticks)
    await ticks.tick()
    fine = await monitor.check()

    await storage.feeds.add("https://n.example/rss", now=NOW)
    await storage.db.execute(
        "INSERT INTO items (id, feed_id, uid, dedupe_key, title, summary, published_at, fetched_at, alertable) "
        "VALUES (1, 1, 'a', 'k', 't', '', ?, ?, 1)", (to_db(NOW), to_db(NOW)))
    await storage.db.execute(
        "INSERT INTO outbox (alert_key, target_kind, target_id, guild_id, item_id, next_attempt_at, created_at, "
        "updated_at) VALUES ('item:1', 'channel', 1, 1, 1, ?, ?, ?)", (to_db(NOW), to_db(NOW), to_db(NOW)))
    clock[0] = NOW + timedelta(minutes=20)
    connected[0] = False
    bad = await monitor.check()

    assert fine.healthy and fine.to_dict()["status"] == "healthy"
    assert not bad.healthy and bad.outbox_pending == 1 and bad.outbox_oldest_due_seconds == 1200
    assert bad.problems == ("not connected to Discord's gateway", "no poll tick finished for 1200 s",
                            "a delivery has been due for 1200 s (1 pending)")


async def test_a_taken_port_is_a_configuration_error(storage: Storage) -> None:
    """MERCATO_HTTP_PORT already in use: one line naming the variable (the CLI exits 2 on it)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as info:
            await start_monitoring(storage, Metrics(), poller([NOW]), now=lambda: NOW, gateway=lambda: True,
                                   host="127.0.0.1", port=port)
    assert str(info.value).startswith(f"Invalid configuration: MERCATO_HTTP_PORT: cannot listen on 127.0.0.1:{port}")
    assert str(info.value).endswith("pick a free port")
