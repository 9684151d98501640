"""The feed layer: fetch (aiohttp, SSRF guard, limits) and parse (feedparser → plain-text items).

Discord-free. Typical use::

    async with FeedFetcher() as fetcher:
        result = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    if not result.not_modified:
        parsed = await asyncio.to_thread(parse_feed, result.body, result.headers, fetched_at=now)
"""

from __future__ import annotations

from bot.feeds.fetch import DEFAULT_USER_AGENT, BlockedURLError, FeedFetcher, FeedHTTPStatusError, FetchResult
from bot.feeds.guard import PublicOnlyResolver, check_url, is_public_ip, validate_feed_url
from bot.feeds.ids import canonical_link, item_uid
from bot.feeds.parse import body_hash, parse_feed

__all__ = [
    "DEFAULT_USER_AGENT",
    "BlockedURLError",
    "FeedFetcher",
    "FeedHTTPStatusError",
    "FetchResult",
    "PublicOnlyResolver",
    "body_hash",
    "canonical_link",
    "check_url",
    "is_public_ip",
    "item_uid",
    "parse_feed",
    "validate_feed_url",
]
