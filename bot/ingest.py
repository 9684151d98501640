"""One poll cycle: due feeds -> fetch -> parse -> match -> store, recording each feed's outcome.

Fetching and storing are the only I/O; deciding what is new and alertable is pure and takes ``now``.
A failing feed records its error and backs off; nothing a feed does can make the cycle raise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.catalogue import Matcher
from bot.catalogue.learner import MoveLearner
from bot.catalogue.tracker import ProvisionalTracker
from bot.errors import FeedError, storage_fault
from bot.feeds.fetch import FetchResult
from bot.feeds.ids import canonical_link
from bot.feeds.parse import body_hash, parse_feed
from bot.models import Feed, FeedItem, IngestedItem
from bot.reading import Batch, ItemReader, Reading, ThreadReading
from bot.sources import Source, SourceDirectory
from bot.storage import Storage
from bot.storage.ingest import FeedState
from bot.stories import STORY_WINDOW, decide

log = logging.getLogger(__name__)

Outcome = Literal["new", "not_modified", "error"]


class Fetcher(Protocol):
    """What the poll cycle needs from an HTTP client (``bot.feeds.fetch.FeedFetcher``)."""

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """Fetch ``url`` conditionally."""
        ...


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often feeds are polled, how failures back off, and which items may alert."""

    interval: timedelta = timedelta(minutes=5)
    max_item_age: timedelta = timedelta(hours=48)
    max_backoff: timedelta = timedelta(hours=6)
    pause_after_failures: int = 10
    story_window: timedelta = STORY_WINDOW


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one poll of one feed did."""

    feed_id: int
    url: str
    outcome: Outcome
    new_items: int = 0
    alertable: int = 0
    first_poll: bool = False
    error: str | None = None
    paused: bool = False

    def summary(self) -> str:
        """One readable line for `mercato poll --once`."""
        if self.outcome == "error":
            tail = "; paused after repeated failures (resume with `mercato feeds add` again)" if self.paused else ""
            return f"{self.url}: error: {self.error}{tail}"
        if self.outcome == "not_modified":
            return f"{self.url}: not modified"
        note = " (first poll: stored, not alerted)" if self.first_poll else f", {self.alertable} to alert"
        return f"{self.url}: {self.new_items} new item{'s' if self.new_items != 1 else ''}{note}"


@dataclass(slots=True)
class PollResult:
    """Every feed's report and every new alertable item of one cycle."""

    reports: list[FeedReport] = field(default_factory=list)
    alerts: list[IngestedItem] = field(default_factory=list)


def dedupe_key(feed_id: int, item: FeedItem) -> str:
    """Items with the same canonical link are the same article, whichever feed carries them."""
    if item.link:
        return "link:" + canonical_link(item.link)
    return f"feed:{feed_id}:{item.uid}"


def retry_at(now: datetime, failures: int, policy: PollPolicy, retry_after: float | None = None) -> datetime:
    """Exponential backoff after ``failures`` consecutive failures, capped at ``max_backoff`` (6 h).

    ``retry_after`` (seconds a 429 or 503 asked for) can only push the next try later, never earlier,
    and is itself capped at ``max_backoff``: a server may slow a feed down, not park it for days.
    """
    delay = min(policy.interval * (1 << min(failures - 1, 16)), policy.max_backoff)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=min(retry_after, policy.max_backoff.total_seconds())))
    return now + delay


class Ingestor:
    """Runs poll cycles against storage with one fetcher and one matcher."""

    def __init__(
        self,
        storage: Storage,
        fetcher: Fetcher,
        matcher: Matcher,
        policy: PollPolicy | None = None,
        *,
        sources: SourceDirectory | None = None,
        provisional: ProvisionalTracker | None = None,
        moves: MoveLearner | None = None,
        concurrency: int = 4,
        reading: Reading | None = None,
    ) -> None:
        self.storage = storage
        self.fetcher = fetcher
        self.matcher = matcher
        self.sources = sources
        self.provisional = provisional  # records names the catalogue lacks (never raises)
        self.moves = moves  # completed stories move players in the catalogue (never raises)
        self.policy = policy or PollPolicy()
        # Reading is CPU work (matching, rumours): off the event loop, in a thread or in worker processes
        # (bot.reading), so that Discord's heartbeat and commands keep answering while it runs.
        self.reading = reading or ThreadReading(
            ItemReader(matcher, sources, max_item_age=self.policy.max_item_age, provisional=provisional is not None)
        )
        self._limit = asyncio.Semaphore(concurrency)

    async def poll_due(self, now: datetime, *, interval: timedelta | None = None) -> PollResult:
        """Poll every feed that is due at ``now``."""
        return await self.poll(await self.storage.feeds.due(now), now, interval=interval)

    async def poll(self, feeds: Sequence[Feed], now: datetime, *, interval: timedelta | None = None) -> PollResult:
        """Poll these feeds concurrently (bounded); never raises because of a feed."""
        result = PollResult()
        storage_down = asyncio.Event()  # after one storage fault, the cycle's remaining feeds wait for the next tick
        if self.moves is not None:  # issue 10: an operator's approve/undo since the last cycle (never raises)
            await self.moves.sync()
        outcomes = await asyncio.gather(*(self._guarded(feed, now, interval, storage_down) for feed in feeds))
        for report, alerts in outcomes:
            result.reports.append(report)
            result.alerts.extend(alerts)
        result.alerts.sort(key=lambda a: (a.item.published_at, a.item.id))
        return result

    async def _guarded(
        self, feed: Feed, now: datetime, interval: timedelta | None, storage_down: asyncio.Event
    ) -> tuple[FeedReport, list[IngestedItem]]:
        async with self._limit:
            if storage_down.is_set():  # each feed would wait out the busy timeout and fail the same way
                return FeedReport(feed.id, feed.url, "error", error="deferred: the database is unavailable"), []
            try:
                return await self.poll_feed(feed, now, interval=interval)
            except FeedError as exc:
                return await self._failed(feed, now, str(exc), retry_after=exc.retry_after), []
            except Exception as exc:
                if (fault := storage_fault(exc)) is not None:
                    # The database or its disk, not the feed: nothing is counted against the feed and
                    # nothing written (it would fail the same way). The feed stays due: next tick retries it.
                    log.error("feed %s was not stored, retrying it next tick: %s", feed.url, fault)
                    storage_down.set()
                    return FeedReport(feed.id, feed.url, "error", error=f"not stored: {fault}"), []
                # A bug: log it with the feed, record it, keep the cycle going.
                log.exception("unexpected error polling %s", feed.url)
                return await self._failed(feed, now, "internal error (see the bot's log)"), []

    async def poll_feed(
        self, feed: Feed, now: datetime, *, interval: timedelta | None = None
    ) -> tuple[FeedReport, list[IngestedItem]]:
        """Poll one feed; raises FeedError for the caller to record."""
        next_due = now + (interval or self.policy.interval)
        fetched = await self.fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        digest = body_hash(fetched.body) if not fetched.not_modified else None
        if fetched.not_modified or (feed.primed and digest == feed.body_hash):
            await self.storage.feeds.record_not_modified(feed.id, now=now, next_due_at=next_due)
            return FeedReport(feed.id, feed.url, "not_modified"), []
        parsed = await asyncio.to_thread(parse_feed, fetched.body, fetched.headers, fetched_at=now)

        keyed = {dedupe_key(feed.id, item): item for item in parsed.items}  # also drops in-feed repeats
        known = await self.storage.items.known(feed.id, [i.uid for i in keyed.values()], list(keyed))
        fresh = [(key, item) for key, item in keyed.items() if key not in known and item.uid not in known]
        feed_source = self._feed_source(feed, parsed.title)
        read = await self.reading.read(Batch(feed, feed_source, fresh, now, parsed.language))
        state = FeedState(feed.id, now, next_due, fetched.etag, fetched.last_modified, digest, parsed.title)
        committed = await self.storage.ingest.commit(
            state,
            [(new, reported) for new, _, _, reported, _ in read],
            decide=decide,
            window=self.policy.story_window,
        )
        if self.provisional is not None:  # names the catalogue lacks; observe() never raises
            for done in committed:
                _, match, _, _, candidates = read[done.index]
                await self.provisional.observe(done.item.id, feed.id, match, now=now, candidates=candidates)
        # --- issue 10: moves learnt from the news. Every committed item's story updates (alertable or
        # not) go to the learner, which applies or queues the moves completed stories prove and updates
        # the shared in-memory catalogue. Keep this right after the ingest commit.
        if self.moves is not None:
            await self.moves.learn([u for done in committed for u in done.updates], now=now)
        alerts = [
            IngestedItem(done.item, read[done.index][1], feed, read[done.index][2], done.updates)
            for done in committed
            if done.item.alertable
        ]
        report = FeedReport(feed.id, feed.url, "new", len(committed), len(alerts), first_poll=not feed.primed)
        log.info("polled feed %s: %d new, %d to alert", feed.url, len(committed), len(alerts),
                 extra={"feed": feed.url, "new": len(committed), "alertable": len(alerts)})
        return report, alerts

    def _feed_source(self, feed: Feed, title: str | None) -> Source | None:
        if self.sources is None:
            return None
        return self.sources.for_feed(feed.url, title or feed.title)

    async def _failed(
        self, feed: Feed, now: datetime, error: str, *, retry_after: float | None = None
    ) -> FeedReport:
        failures = feed.failures + 1
        paused = failures >= self.policy.pause_after_failures
        next_due = retry_at(now, failures, self.policy, retry_after)
        try:
            await self.storage.feeds.record_failure(feed.id, now=now, error=error, next_due_at=next_due, paused=paused)
        except Exception as exc:
            # Never let the error handler end the cycle. Nothing was recorded, so the feed is still due
            # and the next tick polls it again (and records the failure then, if it persists).
            fault = storage_fault(exc)
            if fault is None:
                log.exception("feed %s failed (%s) and recording that failed too", feed.url, error)
            else:
                log.error("feed %s failed (%s), not recorded, retrying it next tick: %s", feed.url, error, fault)
            return FeedReport(feed.id, feed.url, "error", error=f"{error} (not recorded: {fault or 'internal error'})")
        log.warning(
            "feed %s failed (%d in a row%s): %s; next try %s",
            feed.url, failures, ", paused" if paused else "", error, next_due.isoformat(timespec="seconds"),
        )
        return FeedReport(feed.id, feed.url, "error", error=error, paused=paused)


__all__ = ["FeedReport", "Ingestor", "PollPolicy", "PollResult", "dedupe_key", "retry_at"]
