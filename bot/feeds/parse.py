"""Turn a fetched feed body into plain-text :class:`bot.models.FeedItem`s (pure and synchronous).

feedparser is the parser because it alone recovers the right text from the broken feeds small
publishers serve (unescaped ``&``, wrong encoding declarations, truncation; notes/libraries.md §1).
It costs ~15–30 ms per feed, so callers run :func:`parse_feed` with ``asyncio.to_thread``.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import feedparser

from bot.errors import NotAFeed
from bot.feeds.ids import item_uid
from bot.models import FeedItem, ParsedFeed
from bot.text import html_to_text

__all__ = ["body_hash", "parse_feed"]

# Publishers' clocks and time zones are often wrong; an item dated far ahead would sit on top of
# every "latest" list, so anything over this far ahead of the fetch is dated at the fetch instead.
MAX_FUTURE: Final = timedelta(days=1)


def body_hash(body: bytes) -> str:
    """Return the SHA-256 hex digest of a feed body (an unchanged body is not parsed again)."""
    return hashlib.sha256(body).hexdigest()


def _struct_to_utc(value: Any) -> datetime | None:
    """Convert feedparser's UTC ``struct_time`` to an aware datetime; None if absent or out of range."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _http_link(value: Any) -> str | None:
    """Return the link if it is an absolute http(s) URL; a feed's ``javascript:`` link is dropped."""
    if not isinstance(value, str):
        return None
    link = value.strip()
    if link.lower().startswith(("http://", "https://")) and len(link) > len("https://"):
        return link
    return None


def _text(value: Any) -> str:
    return html_to_text(value) if isinstance(value, str) else ""


def _summary(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        return html_to_text(summary)
    for content in entry.get("content") or ():
        value = content.get("value") if isinstance(content, Mapping) else None
        if isinstance(value, str) and value.strip():
            return html_to_text(value)
    return ""


def _guid(entry: Mapping[str, Any]) -> str | None:
    value = entry.get("id")  # feedparser's name for an RSS <guid> or an Atom <id>
    return value.strip() or None if isinstance(value, str) else None


def _not_a_feed_reason(body: bytes) -> str:
    head = body[:2048].lstrip().lower()
    if not head:
        return "not an RSS or Atom feed (the response was empty)"
    if b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head:
        return "not an RSS or Atom feed (looks like an HTML page)"
    if head[:1] in (b"{", b"["):
        return "not an RSS or Atom feed (looks like JSON)"
    return "not an RSS or Atom feed"


def parse_feed(body: bytes, headers: Mapping[str, str], *, fetched_at: datetime) -> ParsedFeed:
    """Parse an RSS/Atom body into a :class:`ParsedFeed` of plain-text items.

    ``headers`` are the HTTP response headers (feedparser uses the Content-Type charset).
    ``fetched_at`` (UTC-aware) dates items that have no usable date, and caps dates too far ahead.
    Items with neither a title nor a link are skipped; items whose id repeats keep the first.

    Raises:
        NotAFeed: the body has no feed version and no entries (an HTML page, JSON, junk).
    """
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    # Always bytes, never a str: given a string, feedparser fetches URLs and opens local files.
    # sanitize_html=False and resolve_relative_uris=False halve the cost; html_to_text does the rest.
    parsed = feedparser.parse(
        bytes(body), response_headers=dict(headers), sanitize_html=False, resolve_relative_uris=False
    )
    entries: list[dict[str, Any]] = list(parsed.get("entries") or [])
    version: str = parsed.get("version") or ""
    if not version and not entries:
        raise NotAFeed(_not_a_feed_reason(body))

    guid_counts = Counter(_guid(e) for e in entries)
    latest_allowed = fetched_at + MAX_FUTURE

    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        title = _text(entry.get("title"))
        link = _http_link(entry.get("link"))
        if not title and not link:
            continue
        guid = _guid(entry)
        # dict.get bypasses FeedParserDict's deprecated updated→published key aliasing (and its warning).
        feed_date = _struct_to_utc(dict.get(entry, "published_parsed")) or _struct_to_utc(
            dict.get(entry, "updated_parsed")
        )
        uid = item_uid(guid, link, title, feed_date, guid_is_unique=bool(guid) and guid_counts[guid] == 1)
        if uid in seen:
            continue
        seen.add(uid)
        published = feed_date if feed_date is not None and feed_date <= latest_allowed else fetched_at
        author = _text(entry.get("author")) or None
        items.append(
            FeedItem(uid=uid, title=title, summary=_summary(entry), link=link, published=published, author=author)
        )

    feed_info: Mapping[str, Any] = parsed.get("feed") or {}
    feed_title = _text(feed_info.get("title")) or None
    return ParsedFeed(title=feed_title, items=tuple(items), version=version)
