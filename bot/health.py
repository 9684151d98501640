"""Is the bot healthy, and the optional HTTP endpoint that says so: ``/healthz`` and ``/metrics``.

Healthy means: connected to Discord's gateway, a poll tick finished recently (within three poll
intervals, at least ten minutes), and no delivery has been waiting past its due time for more than
fifteen minutes. ``/healthz`` answers 200 or 503 with a JSON summary; ``/metrics`` is Prometheus'
text format. The endpoint is off unless ``MERCATO_HTTP_PORT`` is set, and listens on 127.0.0.1
unless ``MERCATO_HTTP_HOST`` says otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from aiohttp import web

from bot.errors import ConfigError
from bot.metrics import CONTENT_TYPE, Metrics
from bot.scheduling import Poller, TickReport
from bot.storage import Storage

log = logging.getLogger(__name__)

MIN_POLL_SILENCE: Final = timedelta(minutes=10)  # a slow tick or two is not an outage
MAX_DELIVERY_LAG: Final = timedelta(minutes=15)  # the delivery loop drains at least every minute


@dataclass(frozen=True, slots=True)
class HealthReport:
    """One health check."""

    status: str  # "healthy" or "unhealthy"
    gateway_connected: bool
    last_poll_age_seconds: float | None  # None: no tick finished since start
    outbox_pending: int
    outbox_oldest_due_seconds: float
    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of /healthz."""
        return asdict(self) | {"problems": list(self.problems)}


class HealthMonitor:
    """Tracks the gateway and poll ticks, checks the outbox, and keeps the state gauges current."""

    def __init__(self, storage: Storage, metrics: Metrics, *, now: Callable[[], datetime], poll_interval: timedelta,
                 gateway: Callable[[], bool]) -> None:
        self.storage = storage
        self.metrics = metrics
        self.now = now
        self.gateway = gateway
        self.max_poll_silence = max(3 * poll_interval, MIN_POLL_SILENCE)
        self.started = now()
        self.last_poll: datetime | None = None

    def watch(self, poller: Poller) -> None:
        """Count the poller's ticks (duration, success, failure) from now on."""
        def finished(report: TickReport) -> None:
            self.last_poll = report.at
            self.metrics.ticks.labels("ok").inc()
            self.metrics.poll_seconds.observe(poller.last_duration)
            self.metrics.last_poll.set(report.at.timestamp())

        poller.listeners.append(finished)
        poller.failure_listeners.append(lambda _exc: self.metrics.ticks.labels("failed").inc())

    async def check(self) -> HealthReport:
        """Check now; also refresh the gauges /metrics exports."""
        now = self.now()
        connected = self.gateway()
        pending = await self.storage.outbox.pending_count()
        due = await self.storage.outbox.next_due_at()
        lag = max(0.0, (now - due).total_seconds()) if due is not None else 0.0
        self.metrics.gateway.set(1 if connected else 0)
        self.metrics.outbox_pending.set(pending)
        self.metrics.outbox_lag.set(lag)
        problems = []
        if not connected:
            problems.append("not connected to Discord's gateway")
        silence = now - (self.last_poll or self.started)
        if silence > self.max_poll_silence:
            problems.append(f"no poll tick finished for {silence.total_seconds():.0f} s")
        if lag > MAX_DELIVERY_LAG.total_seconds():
            problems.append(f"a delivery has been due for {lag:.0f} s ({pending} pending)")
        age = None if self.last_poll is None else (now - self.last_poll).total_seconds()
        status = "unhealthy" if problems else "healthy"
        return HealthReport(status, connected, age, pending, lag, tuple(problems))


class HealthServer:
    """The aiohttp server behind ``/healthz`` and ``/metrics``."""

    def __init__(self, monitor: HealthMonitor, metrics: Metrics) -> None:
        self.monitor = monitor
        self.metrics = metrics
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        self.port: int | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (port 0: any free port); return the port."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("serving /healthz and /metrics on http://%s:%d", host, self.port)
        return self.port

    async def close(self) -> None:
        """Stop listening."""
        await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        report = await self.monitor.check()
        return web.json_response(report.to_dict(), status=200 if report.healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.monitor.check()  # the state gauges are read now, not when something last changed
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


@dataclass(slots=True)
class Monitoring:
    """The monitor, and the HTTP server when one was asked for."""

    monitor: HealthMonitor
    server: HealthServer | None = None

    async def close(self) -> None:
        """Stop the HTTP server, if any."""
        if self.server is not None:
            await self.server.close()


async def start_monitoring(storage: Storage, metrics: Metrics, poller: Poller, *, now: Callable[[], datetime],
                           gateway: Callable[[], bool], host: str, port: int | None) -> Monitoring:
    """Watch the poller, and serve /healthz and /metrics on ``host:port`` unless ``port`` is None."""
    monitor = HealthMonitor(storage, metrics, now=now, poll_interval=poller.normal_interval, gateway=gateway)
    monitor.watch(poller)
    if port is None:
        return Monitoring(monitor)
    server = HealthServer(monitor, metrics)
    try:
        await server.start(host, port)
    except OSError as exc:
        await server.close()
        problem = f"MERCATO_HTTP_PORT: cannot listen on {host}:{port} ({exc.strerror or exc}); pick a free port"
        raise ConfigError([problem]) from exc
    return Monitoring(monitor, server)
