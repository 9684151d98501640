"""The poll schedule: one APScheduler 3.x "tick" job inside the bot's event loop.

Each tick polls whatever feeds are due (per-feed due times live in the database), then plans the
outbox. While a transfer deadline is near, the job's interval switches from the normal poll
interval to the deadline one (and every feed is made due at once), without restarting anything.
The scheduler must be started from inside the running loop (``setup_hook``), never at import.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

JOB_ID = "mercato-tick"
# Integer seconds (APScheduler 3 refuses floats). With coalesce=True a tick delayed by a busy loop
# runs once, late, rather than in a burst.
MISFIRE_GRACE_S = 30


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick did."""

    at: datetime
    deadline_mode: bool
    interval: timedelta
    feeds_polled: int = 0
    alerts: int = 0
    enqueued: int = 0
    notices: tuple[tuple[int, str], ...] = ()  # (guild id, text): things to tell a server's admins


Cycle = Callable[[datetime, timedelta], Awaitable[TickReport]]
DeadlineCheck = Callable[[datetime], Awaitable[bool]]
DeadlineStart = Callable[[datetime], Awaitable[None]]


class Poller:
    """Owns the scheduler and the tick; listeners run after each tick (the delivery loop wakes up)."""

    def __init__(
        self,
        cycle: Cycle,
        *,
        is_deadline: DeadlineCheck,
        on_deadline_start: DeadlineStart,
        now: Callable[[], datetime],
        interval: timedelta,
        deadline_interval: timedelta,
    ) -> None:
        self._cycle = cycle
        self._is_deadline = is_deadline
        self._on_deadline_start = on_deadline_start
        self.now = now
        self.normal_interval = interval
        self.deadline_interval = deadline_interval
        self.deadline_mode = False
        self.last: TickReport | None = None
        self.last_duration = 0.0  # seconds the last completed tick took
        self.ticks = 0
        self.listeners: list[Callable[[TickReport], None]] = []
        self.failure_listeners: list[Callable[[BaseException], None]] = []  # a scheduled tick raised
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()  # a manual tick (tests, /status refresh) never overlaps the job's
        self._ticked = asyncio.Condition()

    @property
    def interval(self) -> timedelta:
        """The current poll interval."""
        return self.deadline_interval if self.deadline_mode else self.normal_interval

    def start(self, *, poll_now: bool = True) -> None:
        """Start the scheduler in the running loop; the first tick runs at once unless ``poll_now`` is False."""
        extra = {"next_run_time": datetime.now(UTC)} if poll_now else {}
        self.scheduler.add_job(
            self._job,
            "interval",
            seconds=int(self.interval.total_seconds()),
            id=JOB_ID,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_S,
            replace_existing=True,
            **extra,
        )
        self.scheduler.start()

    def every(self, job_id: str, interval: timedelta, job: Callable[[], Awaitable[object]], *,
              first_in: timedelta = timedelta(minutes=1)) -> None:
        """Run ``job`` every ``interval`` in the same scheduler (housekeeping); a failure is logged, never fatal."""
        async def run() -> None:
            try:
                await job()
            except Exception:
                log.exception("scheduled job %s failed", job_id)

        self.scheduler.add_job(
            run, "interval", seconds=int(interval.total_seconds()), id=job_id, coalesce=True, max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_S, replace_existing=True, next_run_time=datetime.now(UTC) + first_in,
        )

    def shutdown(self) -> None:
        """Stop the scheduler; a running tick is cancelled (the outbox keeps whatever it planned)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def job_interval(self) -> timedelta | None:
        """The interval the scheduled job currently runs at (None when not scheduled)."""
        job = self.scheduler.get_job(JOB_ID)
        return None if job is None else job.trigger.interval

    async def _job(self) -> None:
        try:
            await self.tick()
        except asyncio.CancelledError:
            # Shutdown cancels a running tick (APScheduler's executor does). Whatever it stored is
            # committed; alerts it had not planned yet are planned by the next start's first tick.
            log.info("poll tick cancelled by shutdown")
        except Exception as exc:
            log.exception("poll tick failed")
            for listener in self.failure_listeners:
                listener(exc)

    async def tick(self) -> TickReport:
        """Switch deadline mode if needed, poll what is due, plan the outbox; notify listeners."""
        async with self._lock:
            now = self.now()
            started = time.monotonic()
            deadline = await self._is_deadline(now)
            if deadline != self.deadline_mode:
                await self._switch(deadline, now)
            report = await self._cycle(now, self.interval)
            self.last = report
            self.last_duration = time.monotonic() - started
        async with self._ticked:
            self.ticks += 1
            self._ticked.notify_all()
        for listener in self.listeners:
            listener(report)
        return report

    async def _switch(self, deadline: bool, now: datetime) -> None:
        self.deadline_mode = deadline
        seconds = int(self.interval.total_seconds())
        log.info("deadline mode %s: polling every %d s", "on" if deadline else "off", seconds)
        if self.scheduler.get_job(JOB_ID) is not None:
            self.scheduler.reschedule_job(JOB_ID, trigger="interval", seconds=seconds)
        if deadline:
            # Feeds were scheduled at the slow interval; bring them all forward so the fast pace starts now.
            await self._on_deadline_start(now)

    async def wait_for_ticks(self, count: int, timeout: float = 5.0) -> None:
        """Wait until at least ``count`` ticks have completed since start."""
        async with asyncio.timeout(timeout), self._ticked:
            await self._ticked.wait_for(lambda: self.ticks >= count)
