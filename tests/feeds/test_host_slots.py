"""Per-host connection slots: waiting for one is not a timeout, so a slow feed never fails its neighbours.

Every feed here is served by one real server on 127.0.0.1 (one host, as far as the fetcher's
``limit_per_host`` is concerned).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.errors import FeedTimeout
from bot.feeds.fetch import FeedFetcher, FetchResult
from bot.ingest import Ingestor
from bot.storage import Storage
from tests.feeds import data, rss
from tests.feedserver import FeedServer, Handler

SLOW = 0.8  # how long each slow feed takes to answer, in seconds
CONNECT = 0.3  # the fetchers' connect timeout: far shorter than a slow feed


def slow_feed(seconds: float, started: asyncio.Event | None = None) -> Handler:
    """A feed that answers after ``seconds`` (setting ``started`` when its request arrives)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if started is not None:
            started.set()
        await asyncio.sleep(seconds)
        return web.Response(body=data("rss20.xml"), content_type="application/rss+xml")

    return handler


async def start_two_slow_feeds(server: FeedServer, fetcher: FeedFetcher) -> list[asyncio.Task[FetchResult]]:
    """Start fetching two slow feeds and return once the server holds both requests (both slots taken)."""
    arrived = [asyncio.Event(), asyncio.Event()]
    for n, event in enumerate(arrived):
        server.route(f"/slow{n}", slow_feed(SLOW, event))
    tasks = [asyncio.create_task(fetcher.fetch(server.url(f"/slow{n}"))) for n in range(2)]
    async with asyncio.timeout(2):
        for event in arrived:
            await event.wait()
    return tasks


async def test_fast_feeds_wait_for_a_slot_instead_of_timing_out(feed_server: FeedServer):
    """Two slow feeds hold both of the host's slots; four fast feeds of that host wait, then all succeed."""
    for n in range(4):
        feed_server.add(f"/fast{n}", data("rss20.xml"))
    async with FeedFetcher(allow_private=True, connect_timeout=CONNECT, total_timeout=5.0, limit_per_host=2) as f:
        slow = await start_two_slow_feeds(feed_server, f)
        started = time.perf_counter()
        fast = await asyncio.gather(
            *(f.fetch(feed_server.url(f"/fast{n}")) for n in range(4)), return_exceptions=True
        )
        waited = time.perf_counter() - started
        assert [r if isinstance(r, BaseException) else r.status for r in fast] == [200] * 4
        assert waited > CONNECT  # they really did wait longer than the connect timeout for a slot
        assert [r.status for r in await asyncio.gather(*slow)] == [200, 200]


async def test_time_spent_waiting_for_a_slot_is_not_part_of_the_total_timeout(feed_server: FeedServer):
    """A feed queued behind slow neighbours for longer than its whole budget still gets its full budget."""
    for n in range(2):
        feed_server.route(f"/medium{n}", slow_feed(0.5))
    # total 1.0 s: the medium feeds wait ~0.8 s for a slot, then take 0.5 s of their own.
    async with FeedFetcher(allow_private=True, connect_timeout=CONNECT, total_timeout=1.0, limit_per_host=2) as f:
        slow = await start_two_slow_feeds(feed_server, f)
        started = time.perf_counter()
        medium = await asyncio.gather(
            *(f.fetch(feed_server.url(f"/medium{n}")) for n in range(2)), return_exceptions=True
        )
        assert [r if isinstance(r, BaseException) else r.status for r in medium] == [200, 200]
        assert time.perf_counter() - started > 1.0  # longer than total_timeout from the call, and still fine
        await asyncio.gather(*slow)


async def test_slots_are_per_host(feed_server: FeedServer):
    """A second host (another port) is not queued behind the first host's slow feeds."""
    async with FeedServer() as other:
        other.add("/fast", data("rss20.xml"))
        async with FeedFetcher(allow_private=True, connect_timeout=CONNECT, limit_per_host=2) as f:
            slow = await start_two_slow_feeds(feed_server, f)
            started = time.perf_counter()
            assert (await f.fetch(other.url("/fast"))).status == 200
            assert time.perf_counter() - started < SLOW / 2
            await asyncio.gather(*slow)


async def test_a_slow_feed_still_times_out_on_its_own_clock(feed_server: FeedServer):
    """The clock of the feed that is itself slow keeps running: it fails, and only it."""
    feed_server.route("/too-slow", slow_feed(2.0))
    feed_server.add("/fast", data("rss20.xml"))
    async with FeedFetcher(allow_private=True, connect_timeout=CONNECT, total_timeout=0.5, limit_per_host=1) as f:
        slow, fast = await asyncio.gather(
            f.fetch(feed_server.url("/too-slow")), f.fetch(feed_server.url("/fast")), return_exceptions=True
        )
    assert isinstance(slow, FeedTimeout) and str(slow) == "timed out after 0.5 s"
    assert not isinstance(fast, BaseException) and fast.status == 200


async def test_a_poll_cycle_blames_only_the_slow_feeds(feed_server: FeedServer, storage: Storage, ingestor: Ingestor):
    """Two slow feeds and four fast ones on one host: all six succeed, nobody's failure count moves."""
    now = datetime.now(UTC).replace(microsecond=0)  # storage keeps whole seconds
    for n in range(2):
        feed_server.route(f"/slow{n}", slow_feed(SLOW))
        await storage.feeds.add(feed_server.url(f"/slow{n}"), now=now)  # added first: polled first
    for n in range(4):
        feed_server.add(f"/fast{n}", rss((f"fast{n}", "Milan hold talks"), published=now - timedelta(hours=1)))
        await storage.feeds.add(feed_server.url(f"/fast{n}"), now=now)
    result = await ingestor.poll_due(now)
    assert [(r.url.rsplit("/", 1)[1], r.outcome, r.error) for r in result.reports] == [
        (path, "new", None) for path in ("slow0", "slow1", "fast0", "fast1", "fast2", "fast3")
    ]
    assert [r.new_items for r in result.reports[2:]] == [1, 1, 1, 1]
    feeds = await storage.feeds.all()
    assert [(f.failures, f.last_error) for f in feeds] == [(0, None)] * 6
    assert all(f.next_due_at == now + ingestor.policy.interval for f in feeds)


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port whose listen queue is full, so new connections hang in SYN-SENT (a host that never answers)."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        filler.connect(("127.0.0.1", port))  # takes the only place in the queue; nothing ever accepts
        yield port


async def test_a_host_that_never_answers_still_fails_with_a_connect_timeout():
    """The connect timeout still covers the socket connect itself: an unanswered SYN fails after it."""
    with unanswered_port() as port:
        async with FeedFetcher(allow_private=True, connect_timeout=0.2, total_timeout=5.0) as f:
            started = time.perf_counter()
            with pytest.raises(FeedTimeout, match=r"^timed out connecting after 0\.2 s$"):
                await f.fetch(f"http://127.0.0.1:{port}/rss")
            assert time.perf_counter() - started < 1.0
