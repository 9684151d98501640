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
from typing import Any, Generic, TypeVar

from bot.catalogue.model import Catalogue
from bot.models import AliasKind, EntityKind

T = TypeVar("T")


class Cue:
    """What a name or word says about the sentence it is in: bit flags (plain ints, for speed)."""

    NONE = 0
    WOMEN = 1
    MEN = 2
    FOOTBALL = 4
    OTHER = 8
    GENDER = WOMEN | MEN


@dataclass(frozen=True, slots=True)
class WordInfo:
    """A vocabulary entry: its cue, and whether it is an athlete's name or a name football shares."""

    cue: int = Cue.NONE
    athlete: bool = False  # another sport's athlete ("Nathan Lyon"): swallows footballers' names inside it
    shared: bool = False  # a football club's name that another sport's club uses too ("Real Madrid")

    def __or__(self, other: WordInfo) -> WordInfo:
        return WordInfo(self.cue | other.cue, self.athlete or other.athlete, self.shared or other.shared)


@dataclass(frozen=True, slots=True)
class Keyed(Generic[T]):
    """What one matcher key means: its owners by context, and what it says about its sentence."""

    men: T | None  # owners in the default (men's) view; None: a pure cue that names no entity
    women: T | None  # owners where women's football is meant, when they differ from ``men``
    cue: int  # Cue flags
    sturdy: bool  # a football name no other sport uses: it survives in a sentence about another sport
    single_word: bool = False  # a surname-like key: its cue counts only when capitalised ("Round" vs "round")
    first_name_risk: bool = False  # only women's players' one-word names: "Tomás Aranda" is not Paula Tomás


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
        self._players = frozenset(e.id for e in catalogue.entities.values() if e.kind is EntityKind.PLAYER)
        # A men's club -> its women's team, for reading "Chelsea" as Chelsea Women in women's football.
        self._team_of = {e.parent_id: e.id for e in catalogue.clubs() if e.women and e.parent_id}
        self._nobody: dict[bool, Any] = {}  # the owners of a name that names nobody, by key shape

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
        if not owners:  # a pure cue: "WSL", "wickets", "Bristol Bears"
            return Keyed(None, None, word.cue if word else Cue.NONE, False)
        entities = [eid for eid in owners if not eid.startswith(_PERSON)]
        athlete = word is not None and word.athlete
        shared = word is not None and word.shared
        sturdy = bool(entities) and multi_word and not (athlete or shared) and all(
            owners[eid] is AliasKind.STRONG for eid in entities
        )
        women = [eid for eid in entities if eid in self._women]
        all_women_players = bool(entities) and len(women) == len(entities) and all(
            eid in self._players for eid in entities
        )
        men_view = self._men_view(owners) if women else owners
        women_view = self._women_view(owners, entities, women, multi_word=multi_word)
        if women_view is not None and women_view != men_view:
            if women_view:
                women_owners: T | None = build(women_view)
            else:  # nobody: one shared value for the thousands of men's surnames
                women_owners = self._nobody.setdefault(multi_word, build({}))
        else:
            women_owners = None
        return Keyed(
            build(men_view),
            women_owners,
            self._entity_cue(owners, entities, women, multi_word=multi_word, athlete=athlete, sturdy=sturdy),
            sturdy,
            single_word=not multi_word,
            first_name_risk=not multi_word and all_women_players,
        )

    def _men_view(self, owners: dict[str, AliasKind]) -> dict[str, AliasKind]:
        men = {eid: kind for eid, kind in owners.items() if eid not in self._women}
        return men if any(not eid.startswith(_PERSON) for eid in men) else owners

    def _women_view(
        self, owners: dict[str, AliasKind], entities: list[str], women: list[str], *, multi_word: bool
    ) -> dict[str, AliasKind] | None:
        """Owners where women's football is meant; None when they are the same as in men's football.

        A women's entity holding the name wins ("Chelsea Women", "Shaw" for Khadija Shaw); else a men's
        club's name means its women's team, and clubs without one keep it ("Wolves" stays Wolves); a
        men's player's one-word name means nobody ("Obi" in a Bayern Women report is not Chido Obi).
        """
        men = [eid for eid in entities if eid not in self._women]
        teams = {self._team_of[eid]: owners[eid] for eid in men if eid in self._team_of}
        if not (women or teams or (men and not multi_word)):
            return None
        people = {eid: kind for eid, kind in owners.items() if eid.startswith(_PERSON)}
        if women:
            return {**people, **teams, **{eid: owners[eid] for eid in women}}  # her own alias kind wins
        if teams:
            return {**people, **{eid: owners[eid] for eid in men if eid not in self._team_of}, **teams}
        if all(eid in self._players for eid in men):
            return people
        return None

    def _entity_cue(
        self,
        owners: dict[str, AliasKind],
        entities: list[str],
        women: list[str],
        *,
        multi_word: bool,
        athlete: bool,
        sturdy: bool,
    ) -> int:
        if not entities or athlete:
            return Cue.NONE
        cue = Cue.FOOTBALL if sturdy else Cue.NONE
        players = [eid for eid in entities if eid in self._players]
        # A women's club's name, or a women's player named in full, says women's football; a lone surname
        # does not ("Jean-Baptiste Koné" is not about Ellie Jean).
        if (
            (multi_word or not players)
            and len(women) == len(entities)
            and all(owners[eid] is AliasKind.STRONG for eid in entities)
        ):
            return cue | Cue.WOMEN
        if sturdy and len(players) == len(entities) and not women:
            return cue | Cue.MEN  # a men's player named in full
        return cue

    # ------------------------------------------------------------------------- per item

    def choose(
        self, text: str, spans: Sequence[Span[T]], to_original: SpanMap, sentence_of: Callable[[int], int]
    ) -> list[tuple[int, int, T]]:
        """Pick each candidate's owners for its context; drop pure cues and names in another sport's sentences."""
        flags = 0
        risky = False
        for _, _, keyed in spans:
            flags |= keyed.cue
            risky = risky or keyed.first_name_risk
        if not flags & (Cue.WOMEN | Cue.OTHER):  # men's football, nothing to decide
            if not risky:
                return [(s, e, k.men) for s, e, k in spans if k.men is not None]
            return [
                (s, e, k.men)
                for s, e, k in spans
                if k.men is not None
                and not (k.first_name_risk and _first_name_of_another(text, to_original(s, e)[1]))
            ]
        other_sport = bool(flags & Cue.OTHER)
        placed = [(s, e, k, *to_original(s, e)) for s, e, k in spans]
        cues = _Cues(sentence_of)
        at_venue: set[int] = set()
        for index, (_, _, keyed, at, end) in enumerate(placed):
            if other_sport and keyed.men is not None and self._before_venue(text, end):
                at_venue.add(index)
            elif keyed.cue and (not keyed.single_word or text[at].isupper()):
                cues.add(at, keyed.cue)
        if other_sport and self._score_min:
            for found in _SCORE.finditer(text):
                if max(int(found.group(1)), int(found.group(2))) >= self._score_min:
                    cues.add(found.start(), Cue.OTHER)
        out: list[tuple[int, int, T]] = []
        for index, (start, end, keyed, at, o_end) in enumerate(placed):
            if keyed.men is None or (keyed.first_name_risk and _first_name_of_another(text, o_end)):
                continue
            if other_sport and (index in at_venue or not keyed.sturdy) and cues.other_sport(at):
                continue
            owners = keyed.men
            if keyed.women is not None and cues.gender(at) == Cue.WOMEN:
                owners = keyed.women
            out.append((start, end, owners))
        return out

    def _before_venue(self, text: str, end: int) -> bool:
        """True when a name is followed by a venue word: "the Tottenham Hotspur Stadium" is a ground."""
        after = text[end : end + 16].lower().split(maxsplit=1)
        return bool(after) and after[0].strip(".,;:!?)'’") in self._venues


_NEXT_NAME = re.compile(r"(?:[ \t]+|-)([A-ZÀ-ÖØ-Þ][\w'’-]+)")


def _first_name_of_another(text: str, end: int) -> bool:
    """True when a one-word name is followed by another capitalised word: "Tomás Aranda", "Jean-Baptiste".

    Not after a space on a Title Case line (a headline capitalises every word).
    """
    found = _NEXT_NAME.match(text, end)
    if found is None:
        return False
    if text[end] == "-":  # one compound name, even in a headline
        return True
    line_start = text.rfind("\n", 0, end) + 1
    line_end = text.find("\n", end)
    words = [w for w in text[line_start : line_end if line_end != -1 else len(text)].split() if len(w) > 3]
    return not (words and sum(w[0].isupper() for w in words) >= 0.6 * len(words))


# A match score with a side of two or three digits ("24-19", "112-104"), not a season ("2025-26").
_SCORE = re.compile(r"(?<![\w.,/–-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w/–-])")


class _Cues:
    """The cues of one item by sentence, and the decisions they make."""

    def __init__(self, sentence_of: Callable[[int], int]) -> None:
        self._sentence_of = sentence_of
        self._by_sentence: dict[int, list[tuple[int, int]]] = {}
        self._all: list[tuple[int, int]] = []

    def add(self, at: int, cue: int) -> None:
        self._by_sentence.setdefault(self._sentence_of(at), []).append((at, cue))
        self._all.append((at, cue))

    def other_sport(self, at: int) -> bool:
        """True when the sentence at ``at`` (or, lacking cues, the item) is about another sport only."""
        for cues in (self._by_sentence.get(self._sentence_of(at), ()), self._all):
            flags = 0
            for _, cue in cues:
                flags |= cue
            if flags & (Cue.OTHER | Cue.FOOTBALL):
                return flags & (Cue.OTHER | Cue.FOOTBALL) == Cue.OTHER
        return False

    def gender(self, at: int) -> int:
        """WOMEN or MEN for the name at ``at``: its sentence's cues, else the item's; mixed: the nearest."""
        for cues in (self._by_sentence.get(self._sentence_of(at), ()), self._all):
            best: tuple[int, int, int] | None = None
            for pos, cue in cues:
                if cue & Cue.GENDER and (best is None or (abs(pos - at), pos) < best[:2]):
                    best = (abs(pos - at), pos, cue & Cue.GENDER)
            if best is not None:
                return best[2]
        return Cue.MEN
