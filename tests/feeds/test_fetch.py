"""FeedFetcher against a real aiohttp server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import socket
import struct
import time
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.errors import (
    FeedError,
    FeedHTTPError,
    FeedNetworkError,
    FeedTimeout,
    FeedTooLarge,
    NotAFeed,
    TooManyRedirects,
    UnsafeURL,
)
from bot.feeds.fetch import DEFAULT_USER_AGENT, BlockedURLError, FeedFetcher, FeedHTTPStatusError, parse_retry_after
from bot.feeds.parse import parse_feed
from tests.feeds import data
from tests.feedserver import FeedServer

LAST_MODIFIED = "Tue, 24 Nov 2026 09:00:00 GMT"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def test_rss_200_round_trip(feed_server: FeedServer, fetcher: FeedFetcher):
    """A plain 200 returns the exact bytes, lower-cased headers and validators; it parses."""
    body = data("rss20.xml")
    feed_server.add("/rss", body, etag='"v1"', last_modified=LAST_MODIFIED)
    result = await fetcher.fetch(feed_server.url("/rss"))
    assert result.status == 200
    assert not result.not_modified
    assert result.body == body
    assert result.etag == '"v1"'
    assert result.last_modified == LAST_MODIFIED
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.final_url == feed_server.url("/rss")
    parsed = parse_feed(result.body, result.headers, fetched_at=NOW)
    assert parsed.items[0].title == "Drăgușin’s move: Milan agree €25m fee"


async def test_request_headers_identify_mercato(feed_server: FeedServer, fetcher: FeedFetcher):
    """The User-Agent is descriptive and Accept asks for feeds; no conditional headers on a first fetch."""
    feed_server.add("/rss", data("rss20.xml"))
    await fetcher.fetch(feed_server.url("/rss"))
    (request,) = feed_server.requests_for("/rss")
    assert request.method == "GET"
    assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("Mercato/0.1 (+https://github.com/mercato-bot/mercato;")
    assert "application/rss+xml" in request.headers["Accept"]
    assert "application/atom+xml" in request.headers["Accept"]
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


async def test_atom_200(feed_server: FeedServer, fetcher: FeedFetcher):
    """An Atom feed fetched and parsed keeps its diacritics."""
    feed_server.add("/atom", data("atom.xml"), content_type="application/atom+xml")
    result = await fetcher.fetch(feed_server.url("/atom"))
    parsed = parse_feed(result.body, result.headers, fetched_at=NOW)
    assert [i.title for i in parsed.items] == ["Szczęsny agrees Barça deal", "Milan’s January plans"]


async def test_304_via_etag(feed_server: FeedServer, fetcher: FeedFetcher):
    """The stored ETag is sent as If-None-Match and a 304 comes back as not_modified."""
    feed_server.add("/rss", data("rss20.xml"), etag='"abc"')
    result = await fetcher.fetch(feed_server.url("/rss"), etag='"abc"')
    assert result.not_modified
    assert result.status == 304
    assert result.body == b""
    assert result.etag == '"abc"'
    assert feed_server.requests_for("/rss")[-1].headers["If-None-Match"] == '"abc"'


async def test_changed_etag_gets_the_new_body(feed_server: FeedServer, fetcher: FeedFetcher):
    """A stale ETag gets a 200 with the new validator."""
    feed_server.add("/rss", data("rss20.xml"), etag='"new"')
    result = await fetcher.fetch(feed_server.url("/rss"), etag='"old"')
    assert not result.not_modified
    assert result.etag == '"new"'


async def test_304_via_last_modified(feed_server: FeedServer, fetcher: FeedFetcher):
    """The stored Last-Modified is sent as If-Modified-Since; the validator is kept on a bare 304."""

    async def bare_304(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304)  # no validators repeated, as some servers do
        return web.Response(body=data("rss20.xml"))

    feed_server.route("/rss", bare_304)
    result = await fetcher.fetch(feed_server.url("/rss"), last_modified=LAST_MODIFIED)
    assert result.not_modified
    assert result.last_modified == LAST_MODIFIED
    assert feed_server.requests_for("/rss")[-1].headers["If-Modified-Since"] == LAST_MODIFIED


async def test_gzip_is_decompressed(feed_server: FeedServer, fetcher: FeedFetcher):
    """A gzip Content-Encoding body comes back decompressed."""
    body = data("atom.xml")
    feed_server.add("/gz", body, gzip=True)
    result = await fetcher.fetch(feed_server.url("/gz"))
    assert result.body == body
    assert result.headers["content-encoding"] == "gzip"
    assert "gzip" in feed_server.requests_for("/gz")[0].headers["Accept-Encoding"]


async def test_relative_and_absolute_redirects(feed_server: FeedServer, fetcher: FeedFetcher):
    """Relative and absolute Locations are followed; final_url is where the feed was found."""
    feed_server.redirect("/old", "../moved/here", status=301)
    feed_server.redirect("/moved/here", feed_server.url("/final"), status=308)
    feed_server.add("/final", data("rss20.xml"))
    result = await fetcher.fetch(feed_server.url("/old"), etag='"e"')
    assert result.final_url == feed_server.url("/final")
    assert result.body == data("rss20.xml")
    assert [r.path for r in feed_server.requests] == ["/old", "/moved/here", "/final"]
    assert feed_server.requests[-1].headers["If-None-Match"] == '"e"'


def _chain(server: FeedServer, hops: int) -> str:
    for i in range(hops):
        server.redirect(f"/r{i}", f"/r{i + 1}", status=(301, 302, 303, 307, 308)[i % 5])
    server.add(f"/r{hops}", data("rss20.xml"))
    return server.url("/r0")


async def test_five_redirects_are_allowed(feed_server: FeedServer, fetcher: FeedFetcher):
    """Exactly max_redirects (5) hops is fine, through every redirect status."""
    result = await fetcher.fetch(_chain(feed_server, 5))
    assert result.status == 200
    assert result.final_url == feed_server.url("/r5")


async def test_six_redirects_are_refused(feed_server: FeedServer, fetcher: FeedFetcher):
    """The sixth redirect raises TooManyRedirects without following it."""
    with pytest.raises(TooManyRedirects, match="more than 5 redirects"):
        await fetcher.fetch(_chain(feed_server, 6))
    assert "/r6" not in [r.path for r in feed_server.requests]


async def test_redirect_loop_is_refused(feed_server: FeedServer, fetcher: FeedFetcher):
    """A redirect loop ends as TooManyRedirects."""
    feed_server.redirect("/loop", "/loop")
    with pytest.raises(TooManyRedirects):
        await fetcher.fetch(feed_server.url("/loop"))
    assert len(feed_server.requests_for("/loop")) == 6


@pytest.mark.parametrize(
    ("location", "fragment"),
    [
        ("file:///etc/passwd", "file: scheme"),
        ("gopher://127.0.0.1:70/", "gopher: scheme"),
        ("http://admin:secret@127.0.0.1/", "user name or password"),
    ],
)
async def test_every_redirect_hop_is_checked(feed_server: FeedServer, fetcher: FeedFetcher, location, fragment):
    """check_url runs on each hop: a redirect to a forbidden target is refused, even with allow_private."""
    feed_server.redirect("/evil", location)
    with pytest.raises(BlockedURLError, match=fragment):
        await fetcher.fetch(feed_server.url("/evil"))
    assert [r.path for r in feed_server.requests] == ["/evil"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/rss",
        "http://[::1]:{port}/rss",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/rss",
        "http://[::ffff:127.0.0.1]:{port}/rss",
    ],
)
async def test_guarded_fetcher_refuses_private_literals(
    feed_server: FeedServer, guarded_fetcher: FeedFetcher, url: str
):
    """With the guard on, private IP literals are refused before any connection is made."""
    feed_server.add("/rss", data("rss20.xml"))
    with pytest.raises(BlockedURLError) as info:
        await guarded_fetcher.fetch(url.format(port=feed_server.port))
    assert isinstance(info.value, UnsafeURL) and isinstance(info.value, FeedError)
    assert "Feed URLs must be public" in str(info.value)
    assert feed_server.requests == []


async def test_guarded_fetcher_refuses_localhost_via_the_resolver(
    feed_server: FeedServer, guarded_fetcher: FeedFetcher
):
    """localhost passes the literal check but the resolver refuses it; the server sees nothing."""
    feed_server.add("/rss", data("rss20.xml"))
    with pytest.raises(BlockedURLError, match="localhost resolves only to non-public addresses"):
        await guarded_fetcher.fetch(f"http://localhost:{feed_server.port}/rss")
    assert feed_server.requests == []


async def test_content_length_over_the_cap_is_refused_up_front(feed_server: FeedServer):
    """A Content-Length over max_bytes is refused before the body is read."""
    feed_server.add("/big", b"x" * 2048)
    async with FeedFetcher(allow_private=True, max_bytes=1024) as small:
        with pytest.raises(FeedTooLarge, match="announced"):
            await small.fetch(feed_server.url("/big"))
        feed_server.add("/ok", b"x" * 1024)
        assert len((await small.fetch(feed_server.url("/ok"))).body) == 1024  # exactly the cap is fine


async def test_chunked_body_without_length_is_refused_at_the_cap(feed_server: FeedServer, fetcher: FeedFetcher):
    """An endless chunked body with no Content-Length is cut off at 5 MiB."""

    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        chunk = b"<item>" + b"x" * 65530
        for _ in range(50 * 16):  # 50 MiB if nobody stops reading
            await resp.write(chunk)
        return resp

    feed_server.route("/endless", endless)
    start = time.perf_counter()
    with pytest.raises(FeedTooLarge, match=r"larger than 5\.0 MiB"):
        await fetcher.fetch(feed_server.url("/endless"))
    assert time.perf_counter() - start < 2.0


@functools.cache
def gzip_bomb(size: int = 2**30, block: int = 2**20) -> bytes:
    """Return a valid gzip stream of `size` zero bytes (~1 MiB for 1 GiB), built in ~0.3 s.

    Compressing 1 GiB takes seconds, so compress one block after a full flush (which resets the
    compressor's history, making every later block compress to the same bytes), repeat it, and write
    the gzip trailer (CRC-32 and length) by hand.
    """
    zeros = bytes(block)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH) == middle
    final_block = compressor.flush(zlib.Z_FINISH)[:-8]  # drop the trailer for 3 blocks
    crc = 0
    for _ in range(size // block):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return head + middle * (size // block - 1) + final_block + trailer


def test_gzip_bomb_helper_is_a_real_bomb():
    """The helper really inflates to zeros far past the 5 MiB cap (checked on the first 16 MiB)."""
    bomb = gzip_bomb()
    assert len(bomb) < 2 * 2**20
    inflater = zlib.decompressobj(31)
    out = inflater.decompress(bomb[: len(bomb) // 32], 16 * 2**20)
    assert len(out) == 16 * 2**20 and out.count(0) == len(out)


async def test_gzip_bomb_is_refused_quickly(feed_server: FeedServer, fetcher: FeedFetcher):
    """1 GiB of zeros gzipped to ~1 MiB is refused after 5 MiB of output, fast."""
    feed_server.add("/bomb", gzip_bomb(), headers={"Content-Encoding": "gzip"})
    start = time.perf_counter()
    with pytest.raises(FeedTooLarge) as info:
        await fetcher.fetch(feed_server.url("/bomb"))
    assert time.perf_counter() - start < 1.0
    assert "announced" not in str(info.value)  # stopped while inflating, not by the ~1 MiB Content-Length


async def test_trickling_server_hits_the_total_timeout(feed_server: FeedServer):
    """One byte every 0.2 s never trips sock_read; the total timeout ends it at ~1 s."""

    async def trickle(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        for _ in range(100):
            await resp.write(b"<")
            await asyncio.sleep(0.2)
        return resp

    feed_server.route("/slow", trickle)
    async with FeedFetcher(allow_private=True, total_timeout=1.0) as slow:
        start = time.perf_counter()
        with pytest.raises(FeedTimeout, match="timed out after 1 s"):
            await slow.fetch(feed_server.url("/slow"))
        elapsed = time.perf_counter() - start
    assert 0.9 < elapsed < 1.5


async def test_slow_redirect_chain_shares_one_deadline(feed_server: FeedServer):
    """The total timeout covers all hops together, not each one."""

    async def slow_redirect(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.25)
        return web.Response(status=302, headers={"Location": "/hop"})

    feed_server.route("/hop", slow_redirect)
    # Each hop (0.25 s) is well under the limit; six of them (1.5 s) are not.
    async with FeedFetcher(allow_private=True, total_timeout=0.6) as slow:
        start = time.perf_counter()
        with pytest.raises(FeedTimeout):
            await slow.fetch(feed_server.url("/hop"))
        assert time.perf_counter() - start < 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_connection_refused(fetcher: FeedFetcher):
    """Nothing listening gives FeedNetworkError with a short message."""
    port = _free_port()
    with pytest.raises(FeedNetworkError) as info:
        await fetcher.fetch(f"http://127.0.0.1:{port}/rss")
    assert str(info.value) == f"could not connect to 127.0.0.1:{port} (connection refused)"


async def test_server_hanging_up_is_a_network_error(feed_server: FeedServer, fetcher: FeedFetcher):
    """A server that closes the connection without answering gives FeedNetworkError."""

    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    feed_server.route("/hangup", hang_up)
    with pytest.raises(FeedNetworkError):
        await fetcher.fetch(feed_server.url("/hangup"))


@pytest.mark.parametrize(("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")])
async def test_http_errors(feed_server: FeedServer, fetcher: FeedFetcher, status: int, message: str):
    """4xx/5xx raise FeedHTTPError carrying the status."""
    feed_server.add("/err", b"oops", status=status)
    with pytest.raises(FeedHTTPError) as info:
        await fetcher.fetch(feed_server.url("/err"))
    assert info.value.status == status
    assert str(info.value) == message
    assert isinstance(info.value, FeedHTTPStatusError) and info.value.retry_after is None


async def test_retry_after_is_kept(feed_server: FeedServer, fetcher: FeedFetcher):
    """429 with Retry-After exposes the delay in seconds."""
    feed_server.add("/busy", b"", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FeedHTTPStatusError) as info:
        await fetcher.fetch(feed_server.url("/busy"))
    assert info.value.status == 429
    assert info.value.retry_after == 120.0


def test_parse_retry_after_forms():
    """Retry-After as seconds or as an HTTP date; junk is None."""
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30", now=now) == 30.0
    assert parse_retry_after("Tue, 24 Nov 2026 12:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Tue, 24 Nov 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None
    local_clock = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 87 <= (parse_retry_after(local_clock) or 0) <= 90  # no reference given: the local clock


async def test_html_page_fetched_then_refused_by_the_parser(feed_server: FeedServer, fetcher: FeedFetcher):
    """An HTML page is fetched fine and then refused as NotAFeed."""
    feed_server.add("/page", data("not_a_feed.html"), content_type="text/html; charset=utf-8")
    result = await fetcher.fetch(feed_server.url("/page"))
    with pytest.raises(NotAFeed, match="looks like an HTML page"):
        parse_feed(result.body, result.headers, fetched_at=NOW)


async def test_served_wrong_encoding_decodes_right(feed_server: FeedServer, fetcher: FeedFetcher):
    """cp1252 bytes served with charset=utf-8 in both header and prolog still give the right title."""
    feed_server.add("/cp1252", data("cp1252_declared_utf8.xml"))
    result = await fetcher.fetch(feed_server.url("/cp1252"))
    parsed = parse_feed(result.body, result.headers, fetched_at=NOW)
    assert parsed.items[0].title == "Ødegaard’s €80m move – Arsenal & Real Madrid talks"


async def test_fetcher_can_be_reused_and_closed_twice(feed_server: FeedServer):
    """One fetcher serves many fetches; close() is idempotent and a closed fetcher reopens lazily."""
    feed_server.add("/rss", data("rss20.xml"))
    fetcher = FeedFetcher(allow_private=True)
    results = await asyncio.gather(*(fetcher.fetch(feed_server.url("/rss")) for _ in range(4)))
    assert all(r.status == 200 for r in results)
    await fetcher.close()
    await fetcher.close()
    assert (await fetcher.fetch(feed_server.url("/rss"))).status == 200
    await fetcher.close()


async def test_limit_per_host_is_respected(feed_server: FeedServer):
    """No more than limit_per_host requests are in flight to one server."""
    in_flight = 0
    peak = 0

    async def slowish(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return web.Response(body=data("rss20.xml"))

    feed_server.route("/rss", slowish)
    async with FeedFetcher(allow_private=True, limit_per_host=2) as polite:
        await asyncio.gather(*(polite.fetch(feed_server.url("/rss")) for _ in range(6)))
    assert peak == 2
