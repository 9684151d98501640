"""A 429 or 503 with ``Retry-After`` (seconds or an HTTP date) sets the feed's next poll, within the 6 h cap.

Real poll cycles against a real server on 127.0.0.1 and real SQLite; the feed's stored ``next_due_at``
and whether the feed is due are what the scheduler acts on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web

from bot.ingest import Ingestor
from bot.models import Feed
from bot.storage import Storage
from tests.feedserver import FeedServer

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
BACKOFF = timedelta(minutes=5)  # PollPolicy's first backoff step (its interval)
CAP = timedelta(hours=6)  # PollPolicy.max_backoff


async def poll_once(storage: Storage, ingestor: Ingestor, url: str) -> Feed:
    """Add ``url``, run one poll cycle at NOW, and return the feed as stored afterwards."""
    feed = await storage.feeds.add(url, now=NOW)
    result = await ingestor.poll_due(NOW)
    assert [r.outcome for r in result.reports] == ["error"]
    stored = await storage.feeds.get(feed.id)
    assert stored is not None and stored.failures == 1
    return stored


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_in_seconds_sets_the_next_poll(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor, status: int
):
    """``Retry-After: 3600`` means the feed is next polled in an hour, not after the 5-minute backoff."""
    feed_server.add("/busy", b"slow down", status=status, headers={"Retry-After": "3600"})
    feed = await poll_once(storage, ingestor, feed_server.url("/busy"))
    assert feed.next_due_at == NOW + timedelta(hours=1)
    assert feed.last_error is not None and feed.last_error.startswith(f"HTTP {status} ")
    assert feed.id not in [f.id for f in await storage.feeds.due(NOW + timedelta(minutes=59))]
    assert feed.id in [f.id for f in await storage.feeds.due(NOW + timedelta(hours=1))]


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_as_an_http_date_sets_the_next_poll(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor, status: int
):
    """An HTTP-date two hours after the response's own ``Date`` means two hours, whatever the local clock says."""
    server_clock = datetime(2031, 5, 2, 17, 30, tzinfo=UTC)  # years off the local clock: only the gap counts

    async def busy(request: web.Request) -> web.StreamResponse:
        headers = {
            "Date": format_datetime(server_clock, usegmt=True),
            "Retry-After": format_datetime(server_clock + timedelta(hours=2), usegmt=True),
        }
        return web.Response(status=status, text="come back later", headers=headers)

    feed_server.route("/busy", busy)
    feed = await poll_once(storage, ingestor, feed_server.url("/busy"))
    assert feed.next_due_at == NOW + timedelta(hours=2)


async def test_retry_after_is_capped_at_the_maximum_backoff(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor
):
    """A server asking for a week gets 6 h (``PollPolicy.max_backoff``): it may slow a feed, not park it."""
    feed_server.add("/busy", b"", status=429, headers={"Retry-After": str(7 * 24 * 3600)})
    feed = await poll_once(storage, ingestor, feed_server.url("/busy"))
    assert feed.next_due_at == NOW + CAP


async def test_an_absurd_retry_after_is_capped_too(feed_server: FeedServer, storage: Storage, ingestor: Ingestor):
    """A number of seconds too large for a date still means 6 h, not a crash."""
    feed_server.add("/busy", b"", status=429, headers={"Retry-After": "9" * 30})
    feed = await poll_once(storage, ingestor, feed_server.url("/busy"))
    assert feed.next_due_at == NOW + CAP


async def test_a_short_retry_after_never_brings_the_next_poll_forward(
    feed_server: FeedServer, storage: Storage, ingestor: Ingestor
):
    """``Retry-After: 10`` (or a date already past) keeps the normal backoff: never sooner than 5 minutes."""
    feed_server.add("/soon", b"", status=429, headers={"Retry-After": "10"})
    feed_server.add("/past", b"", status=503, headers={"Retry-After": "Thu, 01 Jan 2015 00:00:00 GMT"})
    soon = await poll_once(storage, ingestor, feed_server.url("/soon"))
    assert soon.next_due_at == NOW + BACKOFF
    past = await storage.feeds.add(feed_server.url("/past"), now=NOW)
    await ingestor.poll([past], NOW)
    stored = await storage.feeds.get(past.id)
    assert stored is not None and stored.next_due_at == NOW + BACKOFF


async def test_retry_after_on_other_errors_is_ignored(feed_server: FeedServer, storage: Storage, ingestor: Ingestor):
    """Only 429 and 503 define ``Retry-After``; a 500 carrying one backs off as usual."""
    feed_server.add("/broken", b"", status=500, headers={"Retry-After": "3600"})
    feed = await poll_once(storage, ingestor, feed_server.url("/broken"))
    assert feed.next_due_at == NOW + BACKOFF


async def test_backoff_longer_than_retry_after_wins(feed_server: FeedServer, storage: Storage, ingestor: Ingestor):
    """After 5 failures the backoff (80 min) is longer than a 10-minute Retry-After, so the backoff holds."""
    feed_server.add("/busy", b"", status=429, headers={"Retry-After": "600"})
    feed = await storage.feeds.add(feed_server.url("/busy"), now=NOW)
    now = NOW
    for _ in range(5):
        await ingestor.poll([feed], now)
        stored = await storage.feeds.get(feed.id)
        assert stored is not None
        feed, previous = stored, now
        now = stored.next_due_at
    assert feed.failures == 5
    assert feed.next_due_at - previous == timedelta(minutes=80)
