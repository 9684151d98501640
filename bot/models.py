"""Plain data passed between the pipeline's steps: frozen, slotted, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EntityKind(StrEnum):
    """What a catalogue entity is."""

    PLAYER = "player"
    CLUB = "club"


class AliasKind(StrEnum):
    """How much an alias may be trusted on its own.

    - ``strong``: identifies the entity by itself ("AC Milan", "Rossoneri", "Radu Drăgușin").
    - ``place``: a city-like name ("Milan", "Napoli"); the club, unless used as a place ("in Milan").
    - ``confirm``: generic or shared words ("City", "Inter", "the Blues"); only confirms an entity that
      is already strongly named in the same item.
    - ``context``: an ambiguous or common-word surname ("Martínez", "Rice"); resolves only with the
      full name elsewhere in the item or the player's club in the same sentence.
    """

    STRONG = "strong"
    PLACE = "place"
    CONFIRM = "confirm"
    CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class Entity:
    """A player or club in the catalogue. ``id`` is ``"player:<slug>"`` or ``"club:<slug>"``."""

    id: str
    kind: EntityKind
    name: str
    club_id: str | None = None  # players: current club's entity id
    country: str | None = None  # clubs: country; players: nationality
    league: str | None = None  # clubs only
    position: str | None = None  # players only
    as_of: str | None = None  # players: date the club was last confirmed
    provisional: bool = False
    women: bool = False  # a women's team, or a player of one
    parent_id: str | None = None  # women's clubs: the club whose women's team this is ("Chelsea Women" -> Chelsea)


@dataclass(frozen=True, slots=True)
class Alias:
    """One written form of an entity's name."""

    text: str
    entity_id: str
    kind: AliasKind


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity found in a text: the span ``[start, end)`` of the original text, as written."""

    entity_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Every entity mention found in one text, in order of appearance."""

    text: str
    mentions: tuple[Mention, ...]

    def entity_ids(self) -> list[str]:
        """Return the distinct entity ids in order of first appearance."""
        return list(dict.fromkeys(m.entity_id for m in self.mentions))

    def spans_of(self, entity_id: str) -> list[str]:
        """Return the distinct spans (as written) that matched ``entity_id``."""
        return list(dict.fromkeys(m.text for m in self.mentions if m.entity_id == entity_id))


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
class Follow:
    """A user's follow in one server: a catalogue entity, or a free-text term that matched nothing."""

    id: int
    guild_id: int
    user_id: int
    entity_id: str | None
    term: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FollowHit:
    """A follow that a new item concerns, and why (the entity or the term it matched)."""

    guild_id: int
    user_id: int
    entity_id: str | None
    term: str | None
