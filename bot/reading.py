"""Reading new feed items (matching, rumours, reports, provisional names) off the event loop.

Reading is the poll's main CPU cost. Two ways to run it, one result, item for item:

- ``ThreadReading``: a worker thread of this process (one CPU; tests; embedding).
- ``ProcessReading``: worker processes, each with its own copy of the catalogue (the bot's default on a
  machine with more than one CPU). Reading then uses the other cores and never holds this process's GIL:
  the event loop (Discord's heartbeat, commands, deliveries) keeps answering while a big poll is read.
  Moves learnt while running (the only change made to a live catalogue that reading depends on) travel
  with every batch; a worker that dies is replaced and its batch read here instead, so nothing is lost.

Only the first ``MAX_ANALYSED_CHARS`` of a summary are read, and only those are stored.
"""

from __future__ import annotations

import asyncio
import copyreg
import dataclasses
import logging
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.catalogue import Catalogue, Matcher
from bot.catalogue.provisional import ProvisionalCandidate, ProvisionalDetector
from bot.language import MAX_ANALYSED_CHARS, extract_rumours
from bot.language.document import MAX_TITLE_CHARS
from bot.models import Evidence, Feed, FeedItem, MatchResult, Mention, NewItem, ReportedRumour, Rumour
from bot.models.sources import Source
from bot.sources import SourceDirectory

log = logging.getLogger(__name__)

__all__ = ["Batch", "ItemReader", "ProcessReading", "Read", "Reading", "ThreadReading", "is_alertable",
           "reported_rumour"]

# One item, read: what is stored, who it mentions, its rumours, those as this outlet's reports, and the
# footballers it names that the catalogue lacks. The match carries no Document (it stays where it was read).
Read = tuple[NewItem, MatchResult, tuple[Rumour, ...], tuple[ReportedRumour, ...], tuple[ProvisionalCandidate, ...]]
# What reading computes (the rest is assembled from the item it was given): all a worker process sends back.
Analysis = tuple[MatchResult, tuple[Rumour, ...], tuple[ProvisionalCandidate, ...]]


@dataclass(frozen=True, slots=True)
class Batch:
    """A feed's new items, to be read together."""

    feed: Feed
    feed_source: Source | None
    fresh: Sequence[tuple[str, FeedItem]]  # (dedupe key, item)
    now: datetime
    language: str | None = None  # what the feed declares; None: told from each item's text


class ItemReader:
    """Reads items against one catalogue (pure CPU work: no I/O, no clock)."""

    def __init__(
        self, matcher: Matcher, sources: SourceDirectory | None, *, max_item_age: timedelta, provisional: bool
    ) -> None:
        self.matcher = matcher
        self.sources = sources
        self.max_item_age = max_item_age
        self.detector = ProvisionalDetector(matcher.catalogue, sources=sources) if provisional else None

    @property
    def catalogue(self) -> Catalogue:
        return self.matcher.catalogue

    def read_batch(self, batch: Batch) -> list[Read]:
        """Read every new item of ``batch``."""
        return self.assemble(batch, self.analyse_batch(batch))

    def analyse_batch(self, batch: Batch) -> list[Analysis]:
        """The CPU work of reading ``batch`` (what worker processes do, and send back)."""
        return [self.analyse(batch, item) for _key, item in batch.fresh]

    def analyse(self, batch: Batch, item: FeedItem) -> Analysis:
        """Who an item mentions, the rumours it carries, the footballers it names that the catalogue lacks."""
        item = _within_bounds(item)
        match = self.matcher.match_item(item.title, item.summary, language=batch.language)
        rumours: tuple[Rumour, ...] = ()
        if self.sources is not None and match.mentions:
            rumours = tuple(extract_rumours(match, self.catalogue, sources=self.sources,
                                            feed_source=batch.feed_source))
        candidates = tuple(self.detector.detect(match)) if self.detector is not None else ()
        light = replace(match, document=None)  # the Document served the readers above; nothing after needs it
        return light, rumours, candidates

    def assemble(self, batch: Batch, analyses: Sequence[Analysis]) -> list[Read]:
        """The items as stored and alerted, with their rumours as this outlet's reports (cheap: no reading)."""
        feed, feed_source = batch.feed, batch.feed_source
        outlet = feed_source.name if feed_source is not None else (feed.title or feed.url)
        reads: list[Read] = []
        for (key, item), (match, rumours, candidates) in zip(batch.fresh, analyses, strict=True):
            item = _within_bounds(item)
            alertable = is_alertable(item.published, primed=feed.primed, now=batch.now, max_age=self.max_item_age)
            reported = tuple(reported_rumour(r, outlet, feed_source) for r in rumours)
            reads.append((NewItem(item, key, alertable, match.mentions), match, rumours, reported, candidates))
        return reads


def _within_bounds(item: FeedItem) -> FeedItem:
    """The item as read and stored: its title and summary cut to what is analysed."""
    if len(item.summary) > MAX_ANALYSED_CHARS or len(item.title) > MAX_TITLE_CHARS:
        return replace(item, title=item.title[:MAX_TITLE_CHARS], summary=item.summary[:MAX_ANALYSED_CHARS])
    return item


def is_alertable(published: datetime, *, primed: bool, now: datetime, max_age: timedelta) -> bool:
    """A new feed's first poll never alerts; neither does an item older than the cut-off."""
    return primed and published >= now - max_age


def reported_rumour(rumour: Rumour, outlet: str, feed_source: Source | None) -> ReportedRumour:
    """A rumour as a report: published by ``outlet``; its tier is the cited source's when known, else the feed's."""
    source = rumour.source if rumour.source is not None and rumour.source.known else feed_source
    cited = rumour.source.name if rumour.source is not None and rumour.source.name != outlet else None
    return ReportedRumour(
        player_id=rumour.player_id,
        to_club_id=rumour.to_club_id,
        from_club_id=rumour.from_club_id,
        stage=rumour.stage,
        deal=rumour.deal,
        fee=rumour.fee,
        negated=rumour.negated,
        rejected=rumour.rejected,
        outlet=outlet,
        tier=source.tier if source is not None else None,
        known_source=source is not None and source.known,
        cited=cited,
        evidence=rumour.evidence,
    )


class Reading(Protocol):
    """Where the poll reads its batches."""

    reader: ItemReader

    def begin(self) -> None:
        """Get ready in the background (worker processes load their catalogue) before the first batch."""
        ...

    async def read(self, batch: Batch) -> list[Read]:
        """Read a batch without blocking the event loop."""
        ...

    async def close(self) -> None:
        """Release whatever reading holds (threads, processes)."""
        ...


class ThreadReading:
    """Reads each batch in a worker thread of this process."""

    def __init__(self, reader: ItemReader) -> None:
        self.reader = reader

    def begin(self) -> None:
        return None

    async def read(self, batch: Batch) -> list[Read]:
        return await asyncio.to_thread(self.reader.read_batch, batch)

    async def close(self) -> None:
        return None


class _CannotStart(Exception):
    """Worker processes cannot be started on this machine (the cause says why)."""


MAX_BROKEN_POOLS = 3  # worker pools in a row that die before reading anything: then read in the bot's process


class ProcessReading:
    """Reads batches in worker processes, each holding a copy of the catalogue (see the module's doc)."""

    def __init__(self, reader: ItemReader, workers: int) -> None:
        self.reader = reader
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Task[ProcessPoolExecutor] | None = None
        self._unavailable = False  # set when processes cannot start on this machine: read in a thread instead
        self._broken = 0  # batches in a row whose workers died

    def begin(self) -> None:
        if self._starting is None:
            # Pickled here, on the event loop (~40 ms for the shipped catalogue): the loop is the only
            # thread that changes the catalogue, so the copy is never taken halfway through a change.
            reader = self.reader
            payload = pickle.dumps(
                (reader.catalogue, reader.sources, reader.max_item_age, reader.detector is not None),
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._start_pool, payload))

    async def read(self, batch: Batch) -> list[Read]:
        if self._unavailable:
            return await asyncio.to_thread(self.reader.read_batch, batch)
        moves = dict(self.reader.catalogue.moved)  # small: the moves learnt since start-up
        try:
            pool = await self._ready()
            analyses = await asyncio.get_running_loop().run_in_executor(pool, _read_in_worker, batch, moves)
            self._broken = 0
            return self.reader.assemble(batch, analyses)
        except BrokenProcessPool:  # a worker died (killed, out of memory): new ones start at the next batch
            self._broken += 1
            if self._broken < MAX_BROKEN_POOLS:
                log.error("a reading process died: reading this batch in the bot's process; starting new ones")
            else:  # workers that die every time (they cannot even start): stop paying for new ones
                log.error("reading processes died %d times in a row: reading in the bot's process from now on",
                          self._broken)
                self._unavailable = True
        except _CannotStart as exc:  # processes cannot start here (limits, no /dev/shm, no fork server)
            log.error("cannot start reading processes (%s): reading in the bot's process from now on "
                      "(MERCATO_READ_WORKERS=0 says so without this message)", exc.__cause__)
            self._unavailable = True
        self._discard()
        return await asyncio.to_thread(self.reader.read_batch, batch)

    async def close(self) -> None:
        starting, self._starting, self._pool = self._starting, None, None
        pool = None
        if starting is not None:
            try:
                pool = await starting
            except Exception:  # it never started: nothing to stop
                pool = None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def _ready(self) -> ProcessPoolExecutor:
        self.begin()
        assert self._starting is not None
        try:
            self._pool = await self._starting
        except (OSError, ValueError) as exc:  # raised by the start itself, never by reading an item
            raise _CannotStart from exc
        return self._pool

    def _discard(self) -> None:
        pool, self._pool, self._starting = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _start_pool(self, payload: bytes) -> ProcessPoolExecutor:
        """Fork the workers from a clean server process (never from this threaded one) and wait until they read."""
        context = multiprocessing.get_context("forkserver")
        # Imported once, in the server, before it forks workers: the code, and every language pack.
        context.set_forkserver_preload(["bot.reading", "bot.preloaded"])
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                   initargs=(payload, os.getpid()))
        for ready in [pool.submit(_ping) for _ in range(self.workers)]:
            ready.result()
        return pool


# --- between the processes

def _pickle_by_constructor(cls: type) -> None:
    """Pickle ``cls`` (a frozen dataclass) as its constructor's arguments.

    Slotted dataclasses otherwise unpickle through ``dataclasses``' ``__setstate__``, which calls ``fields()``
    for every object; a batch's results are thousands of them (mentions, rumours, evidence). Measured on the
    corpus: loads 6.6 -> 3.0 ms and dumps 4.8 -> 3.0 ms per 211 items.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj: object) -> tuple[type, tuple[object, ...]]:
        return cls, tuple(getattr(obj, name) for name in names)

    copyreg.pickle(cls, reduce)


for _model in (Feed, FeedItem, NewItem, Mention, MatchResult, Rumour, Evidence, ReportedRumour, Source):
    assert all(f.init for f in dataclasses.fields(_model)), _model  # every field is a constructor argument
    _pickle_by_constructor(_model)


# --- in the worker processes

WORKER_NICENESS = 10

_WORKER: ItemReader | None = None


def _start_worker(payload: bytes, bot_pid: int) -> None:
    global _WORKER
    _exit_with(bot_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the bot stops us, quietly
    # Reading is background work: the bot's own process (Discord's heartbeat, commands, deliveries, the
    # poll's fetches and commits that keep these workers fed) comes first when the CPUs are busy.
    os.nice(WORKER_NICENESS)
    catalogue, sources, max_item_age, provisional = pickle.loads(payload)
    _WORKER = ItemReader(Matcher(catalogue), sources, max_item_age=max_item_age, provisional=provisional)


def _exit_with(bot_pid: int) -> None:
    """End this worker when the bot's process ends, however it ends (a crash, SIGKILL, out of memory).

    A worker's parent is the fork server, and a pool worker waits on its task queue forever: without
    this, a killed bot would leave its workers (and through them the fork server) running, and every
    restart would add more.
    """
    def watch() -> None:
        try:
            handle = os.pidfd_open(bot_pid)  # readable once the process has ended (Linux 5.3+)
        except (AttributeError, OSError):
            handle = None
        if handle is not None:
            select.select([handle], [], [])
        else:
            while _alive(bot_pid):
                time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="mercato-bot-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ping() -> bool:
    return _WORKER is not None


def _read_in_worker(batch: Batch, moves: dict[str, tuple[str | None, str | None]]) -> list[Analysis]:
    assert _WORKER is not None, "started by _start_worker"
    catalogue = _WORKER.catalogue
    for player_id, (club_id, as_of) in moves.items():
        catalogue.move(player_id, club_id, as_of)  # idempotent: only a change is applied
    return _WORKER.analyse_batch(batch)
