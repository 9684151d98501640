"""A full disk or a locked database during a poll: one clear log line per feed, a retry next tick, no lost cycle.

Real SQLite throughout: ``PRAGMA max_page_count`` makes inserts fail with SQLITE_FULL exactly as a
full disk does, and a second connection holding the write lock makes writes fail with SQLITE_BUSY.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import storage_fault
from bot.ingest import Ingestor
from bot.storage import Storage
from tests.feeds import rss
from tests.feedserver import FeedServer

NOW = datetime.now(UTC).replace(microsecond=0)  # items must be young enough to alert; storage keeps seconds
LATER = NOW + timedelta(minutes=10)  # every feed is due again (interval 5 min)
NEXT_TICK = LATER + timedelta(minutes=1)
STORY = ("talks", "AC Milan hold talks with Drăgușin's agent")


def news(count: int) -> str:
    """A feed of ``count`` items with ~2 KB summaries (enough to need new database pages)."""
    items = [STORY, *((f"n{n}", f"Transfer round-up {n}") for n in range(count - 1))]
    return rss(*items, published=NOW, summary="Long read. " * 200)


async def prime(server: FeedServer, storage: Storage, ingestor: Ingestor, *paths: str) -> None:
    """Serve a one-item feed at each path and poll them all once, so they are primed and will alert."""
    for path in paths:
        server.add(path, rss(("old", "Old news"), published=NOW - timedelta(hours=1)), etag=f'"{path}"')
        await storage.feeds.add(server.url(path), now=NOW)
    result = await ingestor.poll_due(NOW)
    assert [r.outcome for r in result.reports] == ["new"] * len(paths)


def feed_lines(caplog: pytest.LogCaptureFixture, url: str) -> list[logging.LogRecord]:
    """The warning-or-worse records of the poll cycle that name ``url``."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING and url in r.getMessage()]


async def fill_disk(storage: Storage) -> None:
    """Let the database grow no more: any write that needs a new page fails with SQLITE_FULL, as on a full disk."""
    row = await storage.db.fetchone("PRAGMA page_count")
    assert row is not None
    await storage.db.fetchone(f"PRAGMA max_page_count = {row[0]}")


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Hold the database's write lock from a second connection (another process, as far as SQLite knows)."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_a_full_disk_defers_the_feed_to_the_next_tick(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor, caplog: pytest.LogCaptureFixture
):
    """Items that cannot be stored: one log line, nothing counted against the feed, stored and alerted next tick."""
    await prime(feed_server, storage, ingestor, "/news", "/quiet")
    feed_server.add("/news", news(40))
    await fill_disk(storage)

    caplog.clear()
    result = await ingestor.poll_due(LATER)  # returns: the cycle is not lost
    by_path = {r.url.rsplit("/", 1)[1]: r for r in result.reports}
    assert (by_path["news"].outcome, by_path["news"].error) == (
        "error", "not stored: the database's disk is full: free some disk space"
    )
    assert by_path["quiet"].outcome == "not_modified"  # a neighbour that needs no new space is unaffected
    [line] = feed_lines(caplog, feed_server.url("/news"))
    assert line.getMessage().endswith("was not stored, retrying it next tick: the database's disk is full: free some disk space")
    assert line.exc_info is None  # one clear line, no traceback
    news_feed = await storage.feeds.by_url(feed_server.url("/news"))
    assert news_feed is not None and (news_feed.failures, news_feed.last_error) == (0, None)
    assert news_feed.id in [f.id for f in await storage.feeds.due(NEXT_TICK)]  # still due: retried next tick

    await storage.db.fetchone("PRAGMA max_page_count = 1073741823")  # space freed
    retried = await ingestor.poll_due(NEXT_TICK)
    assert [(r.url, r.outcome, r.new_items) for r in retried.reports] == [(feed_server.url("/news"), "new", 40)]
    assert STORY[1] in [a.item.title for a in retried.alerts]  # the alert was delayed one tick, not lost


async def test_a_locked_database_defers_every_feed_and_the_error_handler_survives(
    tmp_path: Path, feed_server: FeedServer, storage: Storage, ingestor: Ingestor, caplog: pytest.LogCaptureFixture
):
    """New items, a 304 and a failing feed while another process holds the lock: one line each, all retried."""
    await prime(feed_server, storage, ingestor, "/news", "/quiet", "/broken")
    feed_server.add("/news", news(3))
    feed_server.add("/broken", b"oops", status=500)
    await storage.db.fetchone("PRAGMA busy_timeout = 50")  # fail fast instead of waiting 5 s per write

    caplog.clear()
    with write_lock(tmp_path / "test.sqlite3"):
        result = await ingestor.poll_due(LATER)  # today's _failed raised here: its own write was locked out
    locked = "the database is locked by another program (a second Mercato on the same file?)"
    assert sorted((r.url.rsplit("/", 1)[1], r.error) for r in result.reports) == [
        ("broken", f"HTTP 500 Internal Server Error (not recorded: {locked})"),
        ("news", f"not stored: {locked}"),
        ("quiet", f"not stored: {locked}"),
    ]
    for path in ("/news", "/quiet", "/broken"):
        [line] = feed_lines(caplog, feed_server.url(path))
        assert line.exc_info is None and line.getMessage().endswith(f"retrying it next tick: {locked}")
    feeds = await storage.feeds.all()
    assert [(f.failures, f.last_error) for f in feeds] == [(0, None)] * 3  # nobody blamed
    assert len(await storage.feeds.due(NEXT_TICK)) == 3

    retried = await ingestor.poll_due(NEXT_TICK)
    assert sorted((r.url.rsplit("/", 1)[1], r.outcome) for r in retried.reports) == [
        ("broken", "error"), ("news", "new"), ("quiet", "not_modified")
    ]
    assert STORY[1] in [a.item.title for a in retried.alerts]
    broken = await storage.feeds.by_url(feed_server.url("/broken"))
    assert broken is not None and broken.failures == 1  # the feed's own fault is counted once it can be


async def test_a_failing_feed_on_a_full_disk_is_still_recorded(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor
):
    """Recording a failure rewrites the feed's row in place, so a full disk does not stop it being counted."""
    await prime(feed_server, storage, ingestor, "/broken")
    feed_server.add("/broken", b"oops", status=500)
    await fill_disk(storage)
    result = await ingestor.poll_due(LATER)
    assert [r.error for r in result.reports] == ["HTTP 500 Internal Server Error"]
    broken = await storage.feeds.by_url(feed_server.url("/broken"))
    assert broken is not None and broken.failures == 1


async def test_polled_feed_line_names_the_feed(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor, caplog: pytest.LogCaptureFixture
):
    """The info line of a successful poll says which feed, in its text (not only in ``extra``)."""
    caplog.set_level(logging.INFO, logger="bot.ingest")
    await prime(feed_server, storage, ingestor, "/news")
    [line] = [r for r in caplog.records if r.getMessage().startswith("polled feed")]
    assert line.getMessage() == f"polled feed {feed_server.url('/news')}: 1 new, 0 to alert"


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full: free some disk space"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "the disk quota is used up: free some space or raise the quota"),
        (OSError(errno.ECONNRESET, "Connection reset"), None),  # a network error is the feed's, not storage's
        (ValueError("a bug"), None),
    ],
)
def test_storage_faults_beyond_sqlite(exc: BaseException, reason: str | None):
    """A full disk seen as an OSError is a storage fault too; other errors are not."""
    assert storage_fault(exc) == reason


def test_sqlite_errors_that_are_bugs_are_not_storage_faults(tmp_path: Path):
    """A bad query or a closed connection is a bug to log with its traceback, not a fault to wait out."""
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    with pytest.raises(sqlite3.OperationalError) as bad_sql:
        conn.execute("SELECT * FROM nowhere")
    conn.close()
    with pytest.raises(sqlite3.ProgrammingError) as closed:
        conn.execute("SELECT 1")
    assert storage_fault(bad_sql.value) is None
    assert storage_fault(closed.value) is None
