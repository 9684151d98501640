"""Catalogue values: entities, their aliases, and the mentions the matcher finds."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """Every entity mention found in one text, in order of appearance.

    ``document`` is the language layer's reading of ``text`` (``bot.language.Document``) when the
    matcher made one, so that later readers (rumours, provisional names) do not fold and split again.
    """

    text: str
    mentions: tuple[Mention, ...]
    document: object | None = field(default=None, compare=False, repr=False)
    language: str | None = None  # the language the text was read in (the document's), kept without it

    def entity_ids(self) -> list[str]:
        """Return the distinct entity ids in order of first appearance."""
        return list(dict.fromkeys(m.entity_id for m in self.mentions))

    def spans_of(self, entity_id: str) -> list[str]:
        """Return the distinct spans (as written) that matched ``entity_id``."""
        return list(dict.fromkeys(m.text for m in self.mentions if m.entity_id == entity_id))


@dataclass(frozen=True, slots=True)
class Sighting:
    """A provisional player seen in one item: his name, the club context and the cue as written."""

    entity_id: str
    name: str
    club_id: str | None
    evidence: str
    position: str | None = None
    nationality: str | None = None

    def entity(self) -> Entity:
        """The provisional entity this sighting creates when he is new."""
        return Entity(
            id=self.entity_id,
            kind=EntityKind.PLAYER,
            name=self.name,
            club_id=self.club_id,
            country=self.nationality,
            position=self.position,
            provisional=True,
        )
