"""Sport and women's-football context for the matcher: which football, if any, a sentence is about.

Two questions, answered per candidate name from cues in its sentence (then in the whole item):

- **Another sport?** Words ("tries", "wickets", "NBA"), other sports' clubs ("Bristol Bears") and
  scores like 24-19 say rugby, cricket, basketball…; football words ("striker", "Premier League") and
  footballers' full names say football. In a sentence about another sport only *sturdy* football names
  survive: a club's or player's full name that no other sport uses ("Bristol City" stays, "Bristol",
  "Real Madrid" of basketball and Nathan "Lyon" go). A sentence with no cue takes the item's verdict.
- **Women's or men's football?** Women's words ("WSL", "Frauen", "Lionesses"), women's players and
  clubs named in full say women's; men's words ("men's", "Carabao Cup") and men's players named in
  full say men's. Where women's football is meant, a men's club's name means its women's team
  ("Chelsea" -> Chelsea Women) and a surname shared across men's and women's players means the women's
  player; elsewhere nothing changes. Mixed sentences take the nearest cue. No cue at all: men's.

The vocabulary is data (``seeds/sports.toml``, loaded by ``bot.catalogue.vocabulary``). Everything here
is precomputed per automaton key when the matcher is built, so a pure men's-football item (no women's
or other-sport cue) costs one pass over its candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntFlag
from typing import Generic, TypeVar

from bot.catalogue.model import Catalogue
from bot.models import AliasKind, EntityKind

T = TypeVar("T")


class Cue(IntFlag):
    """What a name or word says about the sentence it is in."""

    NONE = 0
    WOMEN = 1
    MEN = 2
    FOOTBALL = 4
    OTHER = 8


@dataclass(frozen=True, slots=True)
class WordInfo:
    """A vocabulary entry: its cue, and whether it is an athlete's name or a name football shares."""

    cue: Cue = Cue.NONE
    athlete: bool = False  # another sport's athlete ("Nathan Lyon"): swallows footballers' names inside it
    shared: bool = False  # a football club's name that another sport's club uses too ("Real Madrid")

    def __or__(self, other: WordInfo) -> WordInfo:
        return WordInfo(self.cue | other.cue, self.athlete or other.athlete, self.shared or other.shared)


@dataclass(frozen=True, slots=True)
class Keyed(Generic[T]):
    """What one matcher key means: its owners by context, and what it says about its sentence."""

    men: T | None  # owners in the default (men's) view; None: a pure cue that names no entity
    women: T | None  # owners where women's football is meant, when they differ from ``men``
    cue: Cue
    sturdy: bool  # a football name no other sport uses: it survives in a sentence about another sport


Span = tuple[int, int, Keyed[T]]
SpanMap = Callable[[int, int], tuple[int, int]]
_PERSON = "person:"


class SportContext:
    """Built once per catalogue (with the matcher); ``choose`` is pure."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        vocabulary = catalogue.vocabulary
        self._venues = tuple(word.lower() for word in vocabulary.venues)
        self._score_min = vocabulary.score_min
        self._women = frozenset(e.id for e in catalogue.entities.values() if e.women)
        # A men's club -> its women's team, for reading "Chelsea" as Chelsea Women in women's football.
        self._team_of = {e.parent_id: e.id for e in catalogue.clubs() if e.women and e.parent_id}

    def words(self) -> Iterable[tuple[str, WordInfo]]:
        """Every vocabulary entry with what it says (an entry listed twice: combine with ``|``)."""
        vocabulary = self._catalogue.vocabulary
        for word in vocabulary.women:
            yield word, WordInfo(Cue.WOMEN)
        for word in vocabulary.men:
            yield word, WordInfo(Cue.MEN)
        for word in vocabulary.football:
            yield word, WordInfo(Cue.FOOTBALL)
        for sport in vocabulary.sports:
            for word in (*sport.words, *sport.clubs):
                yield word, WordInfo(Cue.OTHER)
            for word in sport.athletes:
                yield word, WordInfo(athlete=True)  # says who someone is, not what the sentence reports
            for word in sport.shared:
                yield word, WordInfo(shared=True)

    def keyed(
        self,
        owners: dict[str, AliasKind],
        word: WordInfo | None,
        *,
        multi_word: bool,
        build: Callable[[dict[str, AliasKind]], T],
    ) -> Keyed[T]:
        """Classify one key: ``owners`` are the entities (and people) holding it, ``word`` its vocabulary entry."""
        entities = {eid: kind for eid, kind in owners.items() if not eid.startswith(_PERSON)}
        if not owners:  # a pure cue: "WSL", "wickets", "Bristol Bears"
            return Keyed(None, None, word.cue if word else Cue.NONE, False)
        women_view = self._women_view(owners)
        men_view = self._men_view(owners)
        athlete = word is not None and word.athlete
        shared = word is not None and word.shared
        sturdy = bool(entities) and multi_word and not (athlete or shared) and all(
            kind is AliasKind.STRONG for kind in entities.values()
        )
        return Keyed(
            build(men_view),
            build(women_view) if women_view is not None and women_view != men_view else None,
            self._entity_cue(entities, multi_word=multi_word, athlete=athlete, sturdy=sturdy),
            sturdy,
        )

    def _men_view(self, owners: dict[str, AliasKind]) -> dict[str, AliasKind]:
        men = {eid: kind for eid, kind in owners.items() if eid not in self._women}
        return men if any(not eid.startswith(_PERSON) for eid in men) else owners

    def _women_view(self, owners: dict[str, AliasKind]) -> dict[str, AliasKind] | None:
        people = {eid: kind for eid, kind in owners.items() if eid.startswith(_PERSON)}
        teams = {self._team_of[eid]: kind for eid, kind in owners.items() if eid in self._team_of}
        women = {eid: kind for eid, kind in owners.items() if eid in self._women}
        if not (teams or women):
            return None
        return {**people, **teams, **women}  # a women's entity's own alias kind wins over its club's

    def _entity_cue(self, entities: dict[str, AliasKind], *, multi_word: bool, athlete: bool, sturdy: bool) -> Cue:
        if not entities or athlete:
            return Cue.NONE
        cue = Cue.FOOTBALL if sturdy else Cue.NONE
        if all(eid in self._women for eid in entities) and all(k is AliasKind.STRONG for k in entities.values()):
            return cue | Cue.WOMEN
        players = [self._catalogue.find(eid) for eid in entities]
        if sturdy and all(p is not None and p.kind is EntityKind.PLAYER and not p.women for p in players):
            return cue | Cue.MEN  # a men's player named in full
        return cue

    # ------------------------------------------------------------------------- per item

    def choose(
        self, text: str, spans: Sequence[Span[T]], to_original: SpanMap, sentence_of: Callable[[int], int]
    ) -> list[tuple[int, int, T]]:
        """Pick each candidate's owners for its context; drop pure cues and names in another sport's sentences."""
        flags = Cue.NONE
        for _, _, keyed in spans:
            flags |= keyed.cue
        if not flags & (Cue.WOMEN | Cue.OTHER):  # men's football, nothing to decide
            return [(s, e, k.men) for s, e, k in spans if k.men is not None]
        cues = _Cues(sentence_of)
        venue = [bool(k.men is not None and self._venues and self._before_venue(text, to_original(s, e)[1]))
                 for s, e, k in spans]
        for (start, end, keyed), at_venue in zip(spans, venue, strict=True):
            if keyed.cue and not at_venue:
                cues.add(to_original(start, end)[0], keyed.cue)
        if flags & Cue.OTHER and self._score_min:
            for found in _SCORE.finditer(text):
                if max(int(found.group(1)), int(found.group(2))) >= self._score_min:
                    cues.add(found.start(), Cue.OTHER)
        out: list[tuple[int, int, T]] = []
        for (start, end, keyed), at_venue in zip(spans, venue, strict=True):
            if keyed.men is None:
                continue
            at = to_original(start, end)[0]
            if flags & Cue.OTHER and (at_venue or not keyed.sturdy) and cues.other_sport(at):
                continue
            women = keyed.women is not None and cues.gender(at) == Cue.WOMEN
            out.append((start, end, keyed.women if women and keyed.women is not None else keyed.men))
        return out

    def _before_venue(self, text: str, end: int) -> bool:
        """True when a name is followed by a venue word: "the Tottenham Hotspur Stadium" is a ground."""
        after = text[end : end + 16].lower().split(maxsplit=1)
        return bool(after) and after[0].strip(".,;:!?)'’") in self._venues


# A match score with a side of two or three digits ("24-19", "112-104"), not a season ("2025-26").
_SCORE = re.compile(r"(?<![\w.,/–-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w/–-])")


class _Cues:
    """The cues of one item by sentence, and the decisions they make."""

    def __init__(self, sentence_of: Callable[[int], int]) -> None:
        self._sentence_of = sentence_of
        self._by_sentence: dict[int, list[tuple[int, Cue]]] = {}
        self._all: list[tuple[int, Cue]] = []

    def add(self, at: int, cue: Cue) -> None:
        self._by_sentence.setdefault(self._sentence_of(at), []).append((at, cue))
        self._all.append((at, cue))

    def other_sport(self, at: int) -> bool:
        """True when the sentence at ``at`` (or, lacking cues, the item) is about another sport only."""
        here = self._by_sentence.get(self._sentence_of(at), [])
        for cues in (here, self._all):
            other = any(cue & Cue.OTHER for _, cue in cues)
            football = any(cue & Cue.FOOTBALL for _, cue in cues)
            if other or football:
                return other and not football
        return False

    def gender(self, at: int) -> Cue:
        """WOMEN or MEN for the name at ``at``: its sentence's cues, else the item's; mixed: the nearest."""
        for cues in (self._by_sentence.get(self._sentence_of(at), []), self._all):
            gendered = [(abs(pos - at), pos, cue & (Cue.WOMEN | Cue.MEN)) for pos, cue in cues
                        if cue & (Cue.WOMEN | Cue.MEN)]
            if gendered:
                return min(gendered)[2]
        return Cue.MEN
