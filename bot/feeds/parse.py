"""Turn a fetched feed body into plain-text :class:`bot.models.FeedItem`s (pure and synchronous).

feedparser is the parser because it alone recovers the right text from the broken feeds small
publishers serve (unescaped ``&``, wrong encoding declarations, truncation; notes/libraries.md §1).
It costs ~15–30 ms per feed, which made it most of the end-to-end ingest cost (bench/ingest.py),
so a feed that is provably well-formed UTF-8 XML — strict lxml parse, no DTD, no conflicting
charset — goes through fastfeedparser instead (~0.5 ms), and everything else through feedparser.
Both paths feed the same post-processing; tests check they agree on every well-formed sample.
The language a feed declares (RSS ``<language>`` / ``dc:language``, Atom ``xml:lang``) is kept as
written on :attr:`ParsedFeed.language`; reading picks its wordings by it (``bot.language.detect``).
Callers run :func:`parse_feed` with ``asyncio.to_thread``.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import fastfeedparser
import feedparser
from lxml import etree

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


# Strict (no recovery), no entity expansion, no network, no DTD: only a well-formed document passes.
_STRICT_XML: Final = etree.XMLParser(
    recover=False, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
_UTF8_NAMES: Final = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_XML_DECL_ENCODING: Final = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_FEED_ROOTS: Final = frozenset({"rss", "feed", "RDF"})


def _charset(headers: Mapping[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            for part in value.split(";")[1:]:
                key, _, charset = part.partition("=")
                if key.strip().lower() == "charset":
                    return charset.strip().strip('"').lower()
    return None


def _fast_path_entries(
    body: bytes, headers: Mapping[str, str]
) -> tuple[list[dict[str, Any]], str | None, str, str | None] | None:
    """Entries via fastfeedparser when the body is well-formed UTF-8 RSS/Atom; None means use feedparser."""
    charset = _charset(headers)
    if charset is not None and charset not in _UTF8_NAMES:
        return None
    declared = _XML_DECL_ENCODING.match(body[:200])
    if declared is not None and declared.group(1).decode().lower() not in _UTF8_NAMES:
        return None
    if b"<!DOCTYPE" in body[:4096] or b"<!ENTITY" in body:
        return None  # DTDs (and entity tricks) are feedparser's job, with its doctype stripping
    try:
        body.decode("utf-8")
        root = etree.fromstring(body, parser=_STRICT_XML)
    except (UnicodeDecodeError, etree.XMLSyntaxError, ValueError):
        return None
    local = etree.QName(root).localname
    if local not in _FEED_ROOTS:
        return None
    try:
        parsed = fastfeedparser.parse(body)
    except Exception:  # any surprise in the fast parser: the robust one decides
        return None
    # fastfeedparser fills a missing guid/id with the link; feedparser (and item_uid's fallbacks) do not.
    has_id = [
        any(etree.QName(child).localname in ("guid", "id") for child in node if isinstance(child.tag, str))
        for node in root.iter()
        if isinstance(node.tag, str) and etree.QName(node).localname in ("item", "entry")
    ]
    raw_entries = list(parsed.get("entries") or [])
    if len(has_id) != len(raw_entries):
        return None
    entries = []
    for entry, with_id in zip(raw_entries, has_id, strict=True):
        date = _iso_to_utc(entry.get("published")) or _iso_to_utc(entry.get("updated"))
        content = entry.get("content")
        entries.append(
            {
                "id": entry.get("id") if with_id else None,
                "title": entry.get("title"),
                "link": entry.get("link"),
                "summary": entry.get("description") or entry.get("summary"),
                "content": content if isinstance(content, list) else [],
                "author": entry.get("author"),
                "_date": date,
            }
        )
    version = "atom10" if local == "feed" else ("rss10" if local == "RDF" else "rss20")
    feed_info = parsed.get("feed") or {}
    return entries, feed_info.get("title"), version, _declared_language(root)


_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"


def _declared_language(root: Any) -> str | None:
    """The language a feed declares: Atom ``xml:lang``, RSS ``<language>`` or ``<dc:language>`` (as written)."""
    declared = root.get(_XML_LANG)
    for channel in (c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "channel"):
        declared = declared or channel.get(_XML_LANG)
        for child in channel:
            if isinstance(child.tag, str) and etree.QName(child).localname == "language" and (child.text or "").strip():
                return str(child.text).strip()
    return declared.strip() if isinstance(declared, str) and declared.strip() else None


def _iso_to_utc(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    fast = _fast_path_entries(bytes(body), headers)
    if fast is not None:
        entries, raw_title, version, language = fast
    else:
        # Always bytes, never a str: given a string, feedparser fetches URLs and opens local files.
        # sanitize_html=False and resolve_relative_uris=False halve the cost; html_to_text does the rest.
        parsed = feedparser.parse(
            bytes(body), response_headers=dict(headers), sanitize_html=False, resolve_relative_uris=False
        )
        entries = list(parsed.get("entries") or [])
        version = parsed.get("version") or ""
        if not version and not entries:
            raise NotAFeed(_not_a_feed_reason(body))
        feed_meta: Mapping[str, Any] = parsed.get("feed") or {}
        raw_title = feed_meta.get("title")
        declared = feed_meta.get("language")  # RSS <language>, dc:language, Atom xml:lang
        language = declared.strip() or None if isinstance(declared, str) else None

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
        feed_date = dict.get(entry, "_date") or (
            _struct_to_utc(dict.get(entry, "published_parsed")) or _struct_to_utc(dict.get(entry, "updated_parsed"))
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

    feed_title = _text(raw_title) or None
    return ParsedFeed(title=feed_title, items=tuple(items), version=version, language=language)
