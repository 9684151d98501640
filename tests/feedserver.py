"""A real HTTP server on 127.0.0.1 for tests that fetch feeds (no mocks of aiohttp).

Usage::

    async with FeedServer() as server:
        server.add("/rss", rss_bytes, etag='"v1"')
        result = await fetcher.fetch(server.url("/rss"))
        assert server.requests_for("/rss")[0].headers["User-Agent"].startswith("Mercato/")

Routes can be added or replaced while the server runs: every request goes through one catch-all
route that looks the path up at request time.
"""

from __future__ import annotations

import gzip as gzip_module
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Self

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]


@dataclass
class StaticRoute:
    """Bytes served at one path, optionally with validators that make conditional GETs answer 304."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False

    def not_modified(self, request: web.Request) -> bool:
        """Return True if the request's conditional headers match this route's validators."""
        inm = request.headers.get("If-None-Match")
        if self.etag is not None and inm is not None:
            return self.etag in [tag.strip() for tag in inm.split(",")] or inm.strip() == "*"
        ims = request.headers.get("If-Modified-Since")
        if self.last_modified is not None and ims is not None:
            try:
                return parsedate_to_datetime(ims) >= parsedate_to_datetime(self.last_modified)
            except (TypeError, ValueError):
                return False
        return False

    def respond(self, request: web.Request) -> web.Response:
        """Build the response for ``request``."""
        headers = CIMultiDict(self.headers)
        if self.etag is not None:
            headers["ETag"] = self.etag
        if self.last_modified is not None:
            headers["Last-Modified"] = self.last_modified
        if self.status == 200 and self.not_modified(request):
            return web.Response(status=304, headers=headers)
        body = self.body
        if self.gzip:
            body = gzip_module.compress(body)
            headers["Content-Encoding"] = "gzip"
        return web.Response(status=self.status, body=body, headers=headers)


class FeedServer:
    """An aiohttp server on 127.0.0.1 (a free port) with per-path bodies or handlers and a request log."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.requests: list[RecordedRequest] = []
        self._static: dict[str, StaticRoute] = {}
        self._handlers: dict[str, Handler] = {}
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start listening on a free port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # A short shutdown timeout: tests leave slow handlers (trickling servers) mid-response.
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the port the OS picked for port 0

    async def close(self) -> None:
        """Stop the server."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Return the absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str | None = RSS,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
    ) -> StaticRoute:
        """Serve ``body`` at ``path`` (replacing what was there); return the route to tweak later."""
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers.setdefault("Content-Type", content_type)
        route = StaticRoute(
            body=body.encode("utf-8") if isinstance(body, str) else body,
            status=status,
            headers=all_headers,
            etag=etag,
            last_modified=last_modified,
            gzip=gzip,
        )
        self._handlers.pop(path, None)
        self._static[path] = route
        return route

    def route(self, path: str, handler: Handler) -> None:
        """Answer ``path`` with ``handler(request)`` (replacing what was there)."""
        self._static.pop(path, None)
        self._handlers[path] = handler

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Answer ``path`` with a redirect to ``location`` (sent exactly as given, relative or not)."""
        self.add(path, b"", status=status, content_type=None, headers={"Location": location})

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Return the requests received for ``path``, oldest first."""
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(RecordedRequest(request.method, request.path, request.query_string, request.headers))
        handler = self._handlers.get(request.path)
        if handler is not None:
            return await handler(request)
        static = self._static.get(request.path)
        if static is not None:
            return static.respond(request)
        return web.Response(status=404, text="not found")
