"""Fetch feed bodies over HTTP: conditional GET, hand-followed redirects, size cap, SSRF guard.

Everything that can go wrong becomes a :class:`bot.errors.FeedError` (or :class:`BlockedURLError`, which is
both a ``FeedError`` and an ``UnsafeURL``) with a short, user-safe message; the original exception is
kept as ``__cause__`` for the logs.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Final, Self

import aiohttp
from yarl import URL

from bot.errors import (
    FeedError,
    FeedHTTPError,
    FeedNetworkError,
    FeedTimeout,
    FeedTooLarge,
    TooManyRedirects,
    UnsafeURL,
)
from bot.feeds.guard import PublicOnlyResolver, UnsafeAddressError, check_url
from bot.feeds.limits import HostSlots

__all__ = [
    "DEFAULT_USER_AGENT",
    "BlockedURLError",
    "FeedFetcher",
    "FeedHTTPStatusError",
    "FetchResult",
    "user_agent",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT: Final = "Mercato/0.1 (+https://github.com/mercato-bot/mercato; football transfer-rumour bot)"


def user_agent(contact: str | None) -> str:
    """The User-Agent with the operator's contact (MERCATO_CONTACT), so a feed's owner can reach whoever polls it."""
    return DEFAULT_USER_AGENT if not contact else f"{DEFAULT_USER_AGENT[:-1]}; contact: {contact})"
ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_RETRY_AFTER: Final = frozenset({429, 503})  # the statuses whose Retry-After asks a client to come back later
_CHUNK: Final = 64 * 1024


class BlockedURLError(UnsafeURL, FeedError):
    """The fetcher refused a URL (the feed's own, a redirect target, or what its host resolves to).

    It is an ``UnsafeURL`` (so ``/feeds add`` can show it like any other refusal) and a ``FeedError``
    (so a poll cycle that records ``FeedError`` on the feed also records this one).
    """


class FeedHTTPStatusError(FeedHTTPError):
    """An HTTP error status, with the server's ``Retry-After`` in seconds when a 429 or 503 carried one."""

    def __init__(self, status: int, message: str | None = None, *, retry_after: float | None = None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch returned.

    ``etag``/``last_modified`` are what to send next time: the response's validators, or on a 304
    the ones that were sent when the server did not repeat them. ``final_url`` is the URL after
    redirects (callers may update a feed's stored URL after a 301/308).
    """

    not_modified: bool
    body: bytes  # b"" when not modified
    headers: dict[str, str]  # lower-cased names
    etag: str | None
    last_modified: str | None
    final_url: str
    status: int


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return a ``Retry-After`` header (seconds or an HTTP date) as seconds from ``now``, or None.

    Pass the response's own ``Date`` as ``now`` when it has one: an HTTP-date is the server's clock,
    so measuring it against the server's clock keeps a skewed local clock out of the delay.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _server_date(value: str | None) -> datetime | None:
    """The response's ``Date`` header as an aware datetime, or None when missing or unreadable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _status_error(status: int, reason: str | None, headers: dict[str, str]) -> FeedHTTPStatusError:
    """The error for a 4xx/5xx answer; a 429's or 503's ``Retry-After`` is measured on the server's own clock."""
    retry_after = None
    if status in _RETRY_AFTER:
        retry_after = parse_retry_after(headers.get("retry-after"), now=_server_date(headers.get("date")))
    return FeedHTTPStatusError(status, f"HTTP {status} {_safe_reason(reason)}".rstrip(), retry_after=retry_after)


def _safe_reason(reason: str | None) -> str:
    """Trim a server-chosen reason phrase so it cannot flood a message."""
    return " ".join((reason or "").split())[:60]


class FeedFetcher:
    """Fetch feeds with one shared ``aiohttp.ClientSession`` (created lazily, inside the running loop).

    Use as ``async with FeedFetcher() as fetcher:`` or call :meth:`close` at shutdown. One fetcher
    serves every feed: at most ``limit_per_host`` requests go to one host at a time (politeness) and
    ``limit`` overall. A fetch waiting for one of those slots is not yet being timed: its
    ``total_timeout`` and ``connect_timeout`` cover only its own connection, so slow feeds never make
    their neighbours time out (see :mod:`bot.feeds.limits`).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        user_agent: str = DEFAULT_USER_AGENT,
        total_timeout: float = 20.0,
        connect_timeout: float = 5.0,
        max_bytes: int = 5 * 2**20,
        max_redirects: int = 5,
        limit_per_host: int = 2,
        limit: int = 20,
    ) -> None:
        self.allow_private = allow_private
        self.user_agent = user_agent
        self.total_timeout = total_timeout
        self.connect_timeout = connect_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.limit_per_host = limit_per_host
        self.limit = limit
        self._session: aiohttp.ClientSession | None = None
        self._slots: HostSlots | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (idempotent)."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _get_session(self) -> tuple[aiohttp.ClientSession, HostSlots]:
        # Built on first use rather than in __init__: aiohttp binds a session to the running loop.
        if self._session is None or self._session.closed or self._slots is None:
            resolver = None if self.allow_private else PublicOnlyResolver()
            # The connector's limits are only a backstop: HostSlots hands out the same number of slots
            # before a request starts, so the connector never has a request waiting for a connection.
            connector = aiohttp.TCPConnector(limit=self.limit, limit_per_host=self.limit_per_host, resolver=resolver)
            self._slots = HostSlots(self.limit_per_host, self.limit)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    # No `total` and no `connect` here: both would also count the wait for a free
                    # connection. The deadline in fetch() is the total; sock_connect is the connect
                    # timeout proper (one TCP/TLS connection attempt).
                    total=None,
                    connect=None,
                    sock_connect=self.connect_timeout,
                    # sock_read alone never ends a trickling server (each byte resets it); the
                    # asyncio.timeout around the whole fetch does. This just fails a stalled one sooner.
                    sock_read=min(10.0, self.total_timeout),
                ),
                trust_env=False,  # no proxy or .netrc credentials picked up from the environment
                cookie_jar=aiohttp.DummyCookieJar(),  # feeds must not share cookies with each other
                headers={"User-Agent": self.user_agent},
            )
        return self._session, self._slots

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` (conditionally, when given validators) and return the body or "not modified".

        Raises:
            BlockedURLError: the URL, a redirect target or the resolved address is not allowed.
            FeedTimeout: the whole fetch (all redirects and the body) took over ``total_timeout``.
            FeedTooLarge: the (decompressed) body is over ``max_bytes``.
            TooManyRedirects: more than ``max_redirects`` redirects.
            FeedHTTPStatusError: the server answered 4xx/5xx (``retry_after`` set from Retry-After).
            FeedNetworkError: DNS, connection, TLS or protocol failure.
        """
        try:
            # One deadline for everything (a chain of slow redirects shares it), stopped while waiting
            # for a host's connection slot: that time is spent by the neighbours, not by this feed.
            async with asyncio.timeout(self.total_timeout) as deadline:
                return await self._fetch(url, etag=etag, last_modified=last_modified, deadline=deadline)
        except FeedError:
            raise
        except UnsafeURL as exc:
            raise BlockedURLError(str(exc)) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise FeedTimeout(f"timed out connecting after {self.connect_timeout:g} s") from exc
        except aiohttp.SocketTimeoutError as exc:
            raise FeedTimeout("the server stopped sending data") from exc
        except TimeoutError as exc:  # asyncio.timeout's deadline (asyncio.TimeoutError is TimeoutError on 3.11)
            raise FeedTimeout(f"timed out after {self.total_timeout:g} s") from exc
        except aiohttp.ClientConnectorDNSError as exc:
            if isinstance(exc.os_error, UnsafeAddressError):
                raise BlockedURLError(str(exc.os_error)) from exc
            raise FeedNetworkError(f"could not resolve host {exc.host}") from exc
        except aiohttp.ClientConnectorCertificateError as exc:
            raise FeedNetworkError(f"TLS certificate of {exc.host} is not valid") from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, ConnectionRefusedError):
                reason = "connection refused"
            else:
                reason = exc.os_error.strerror or type(exc.os_error).__name__
            raise FeedNetworkError(f"could not connect to {exc.host}:{exc.port} ({reason})") from exc
        except aiohttp.InvalidURL as exc:
            raise BlockedURLError(f"Feed URLs must be valid public http(s) addresses; {exc.url} is not.") from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise FeedNetworkError("the server closed the connection without answering") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FeedNetworkError("the response body was cut off or badly encoded") from exc
        except aiohttp.ClientResponseError as exc:
            raise FeedNetworkError(f"the server sent an invalid HTTP response ({exc.message})") from exc
        except aiohttp.ClientError as exc:
            raise FeedNetworkError(f"network error ({type(exc).__name__})") from exc
        except OSError as exc:
            raise FeedNetworkError(f"network error ({exc.strerror or type(exc).__name__})") from exc

    async def _fetch(
        self, url: str, *, etag: str | None, last_modified: str | None, deadline: asyncio.Timeout
    ) -> FetchResult:
        session, slots = self._get_session()
        headers = {"Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = check_url(url, allow_private=self.allow_private)
        redirects = 0
        while True:
            # allow_redirects=False: aiohttp's own redirect handling skips the resolver for IP
            # literals, so every hop goes through check_url here instead.
            async with (
                slots.hold(current, deadline),
                session.get(current, headers=headers, allow_redirects=False) as resp,
            ):
                status = resp.status
                if status in _REDIRECTS:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FeedHTTPStatusError(status, f"HTTP {status} redirect without a Location header")
                    if redirects >= self.max_redirects:
                        raise TooManyRedirects(f"more than {self.max_redirects} redirects")
                    redirects += 1
                    try:
                        target = current.join(URL(location))
                    except (ValueError, TypeError) as exc:
                        raise FeedNetworkError("the server redirected to an invalid URL") from exc
                    current = check_url(target, allow_private=self.allow_private)
                    log.debug("redirect %d from %s to %s", status, resp.url, current)
                    continue
                resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                if status == 304:
                    return FetchResult(
                        not_modified=True,
                        body=b"",
                        headers=resp_headers,
                        etag=resp_headers.get("etag", etag),
                        last_modified=resp_headers.get("last-modified", last_modified),
                        final_url=str(current),
                        status=status,
                    )
                if status >= 400:
                    raise _status_error(status, resp.reason, resp_headers)
                if not 200 <= status < 300:
                    raise FeedHTTPStatusError(status, f"unexpected HTTP status {status}")
                body = await self._read_capped(resp)
                return FetchResult(
                    not_modified=False,
                    body=body,
                    headers=resp_headers,
                    etag=resp_headers.get("etag"),
                    last_modified=resp_headers.get("last-modified"),
                    final_url=str(current),
                    status=status,
                )

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> bytes:
        """Read the decompressed body, refusing it as soon as it passes ``max_bytes``."""
        limit = self.max_bytes
        # Content-Length counts the bytes on the wire (compressed, if gzip); the decompressed body can
        # only be larger, so an over-size Content-Length is refused before reading anything.
        if resp.content_length is not None and resp.content_length > limit:
            raise FeedTooLarge(f"the feed is larger than {_mib(limit)} ({_mib(resp.content_length)} announced)")
        buf = bytearray()
        # iter_chunked yields decompressed bytes, so a gzip bomb is stopped after `limit` bytes of
        # output, not after it has been inflated in memory.
        async for chunk in resp.content.iter_chunked(_CHUNK):
            buf += chunk
            if len(buf) > limit:
                raise FeedTooLarge(f"the feed is larger than {_mib(limit)}")
        return bytes(buf)


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"
