"""Feed lists: the operator's global list and each server's extra feeds, with their health.

The same use cases serve `/feeds` in Discord and `mercato feeds` on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import LimitReached, NotFound
from bot.feeds.guard import validate_feed_url
from bot.models import Feed
from bot.storage import GLOBAL, Storage

MAX_SERVER_FEEDS = 10


@dataclass(frozen=True, slots=True)
class FeedLine:
    """A feed and its health, as one line."""

    url: str
    title: str | None
    health: str
    ok: bool


def feed_health(feed: Feed) -> FeedLine:
    """Describe a feed's state in a few words."""
    if feed.paused:
        health, ok = f"paused after {feed.failures} failures: {feed.last_error}", False
    elif feed.failures:
        health, ok = f"failing ({feed.failures} in a row): {feed.last_error}", False
    elif feed.last_success_at is None:
        health, ok = "not polled yet", True
    else:
        health, ok = "ok", True
    return FeedLine(feed.url, feed.title, health, ok)


class FeedList:
    """Add, remove and list feeds, for one server (``guild_id``) or the operator (``GLOBAL``)."""

    def __init__(self, storage: Storage, *, allow_private: bool = False) -> None:
        self.storage = storage
        self.allow_private = allow_private

    async def add(self, url: str, *, guild_id: int = GLOBAL, added_by: int | None = None,
                  now: datetime) -> FeedLine:
        """Add a feed (through the URL guard), or resume it if it was paused; a server has at most 10."""
        checked = await validate_feed_url(url.strip(), allow_private=self.allow_private)
        if guild_id != GLOBAL:
            own = await self.storage.feeds.all(guild_id)
            if len(own) >= MAX_SERVER_FEEDS and all(f.url != checked for f in own):
                raise LimitReached(f"This server already has {MAX_SERVER_FEEDS} extra feeds; /feeds remove one first.")
        existing = await self.storage.feeds.by_url(checked)
        feed = await self.storage.feeds.add(checked, now=now, guild_id=guild_id, added_by=added_by)
        if existing is not None and existing.paused:
            await self.storage.feeds.resume(checked, now=now)
            feed = await self.storage.feeds.by_url(checked) or feed
        return feed_health(feed)

    async def remove(self, url: str, *, guild_id: int = GLOBAL) -> str:
        """Remove one of this list's feeds (never another server's)."""
        if not await self.storage.feeds.remove(url.strip(), guild_id=guild_id):
            where = "this server's feeds; /feeds list" if guild_id != GLOBAL else "the feed list; `mercato feeds list`"
            raise NotFound(f"“{url.strip()}” is not one of {where} shows them.")
        return url.strip()

    async def lines(self, guild_id: int | None = GLOBAL) -> list[FeedLine]:
        """The list's feeds with their health (``None``: every feed any list holds)."""
        return [feed_health(f) for f in await self.storage.feeds.all(guild_id)]
