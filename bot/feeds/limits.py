"""Connection slots per host (politeness) whose waiting time is never charged to the waiting feed.

aiohttp's connector can cap connections per host itself, but the time a request spends waiting for
one of them counts towards the connector's ``connect`` timeout and towards any deadline around the
request. So when two slow feeds of one host held both of its connections, every other feed of that
host failed with "timed out connecting" without ever trying to connect, and those false failures
counted towards pausing the feed. Here a fetch first takes a slot, with its deadline stopped while
it waits, and only then starts a request; the connector never has to queue it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from yarl import URL

__all__ = ["HostSlots", "deadline_paused", "host_key"]

HostKey = tuple[str, int | None]


def host_key(url: URL) -> HostKey:
    """The host a request goes to, as aiohttp's connector counts it: name and port."""
    return ((url.host or "").lower(), url.port)


@asynccontextmanager
async def deadline_paused(deadline: asyncio.Timeout | None) -> AsyncIterator[None]:
    """Stop ``deadline`` for the duration of the block, then give back exactly the time it had left."""
    when = deadline.when() if deadline is not None else None
    if deadline is None or when is None:
        yield
        return
    loop = asyncio.get_running_loop()
    remaining = when - loop.time()
    deadline.reschedule(None)
    try:
        yield
    finally:
        deadline.reschedule(loop.time() + remaining)


@dataclass(slots=True)
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0  # holders and waiters; the entry is dropped at 0 so the table stays small


class HostSlots:
    """At most ``per_host`` requests in flight to one host and ``total`` overall (0 means no cap).

    Use ``async with slots.hold(url, deadline):`` around one request (one redirect hop): the hop's
    host is the one counted, and a slot is never held while waiting for another host's, so redirects
    between hosts cannot deadlock. Build it inside the loop that uses it, like the HTTP session.
    """

    def __init__(self, per_host: int, total: int) -> None:
        self.per_host = per_host
        self.total = total
        self._hosts: dict[HostKey, _HostSlot] = {}
        self._all = asyncio.Semaphore(total) if total > 0 else None

    @asynccontextmanager
    async def hold(self, url: URL, deadline: asyncio.Timeout | None = None) -> AsyncIterator[None]:
        """Wait (with ``deadline`` stopped) for a slot of ``url``'s host and one overall; hold them for the block."""
        key = host_key(url)
        slot = self._hosts.get(key)
        if slot is None:
            slot = self._hosts[key] = _HostSlot(asyncio.Semaphore(self.per_host))
        slot.users += 1
        try:
            async with AsyncExitStack() as held:
                async with deadline_paused(deadline):
                    # The host's slot first: a feed queued behind its own host's slow feeds must not
                    # sit on one of the overall slots that other hosts' feeds could use meanwhile.
                    if self.per_host > 0:
                        await held.enter_async_context(slot.semaphore)
                    if self._all is not None:
                        await held.enter_async_context(self._all)
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._hosts[key]
