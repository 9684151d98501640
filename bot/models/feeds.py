"""Feed values: feeds with their fetch state, parsed entries, stored items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.models.catalogue import Mention


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry parsed from a feed, as plain text (HTML already stripped)."""

    uid: str  # stable id within its feed: guid, else canonical link, else hash of title + date
    title: str
    summary: str
    link: str | None
    published: datetime  # UTC-aware; the fetch time when the feed gives none
    author: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed body contained."""

    title: str | None
    items: tuple[FeedItem, ...]
    version: str = ""
    language: str | None = None  # as the feed declares it ("it-IT", "en"); None when it does not


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed Mercato polls, with its HTTP caching and health state."""

    id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    failures: int
    last_error: str | None
    next_due_at: datetime
    paused: bool
    primed: bool  # True once the first successful poll stored its items (those never alert)
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    guild_ids: tuple[int, ...] = field(default=())  # servers that added it; 0 = the operator's global list


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as kept in the database."""

    id: int
    feed_id: int
    uid: str
    title: str
    summary: str
    link: str | None
    published_at: datetime
    fetched_at: datetime
    alertable: bool
    feed_title: str | None = None


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item ready to store: what the feed said, how to dedupe it, whether it may alert, what it mentions."""

    item: FeedItem
    dedupe_key: str
    alertable: bool
    mentions: tuple[Mention, ...] = ()
