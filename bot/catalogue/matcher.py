"""Find the players and clubs a text mentions.

Aliases are found with one Aho-Corasick automaton over folded text (pyahocorasick ``iter()``,
never the leftmost-longest modes: those pick the longest candidate *before* the word-boundary check
and lose valid matches). Candidates that pass the boundary check and do not lie inside a longer
candidate are then resolved by how much their alias can be trusted (see ``AliasKind``):

1. strong aliases name their entity; so does a place-like club name unless it is used as a place;
2. generic words and shared nicknames ("City", "the Blues") only confirm a club already named;
3. ambiguous or common-word surnames resolve to a player named in full elsewhere in the text, or to
   the one whose club is named in the same sentence;
4. names of non-players (managers, agents, journalists) swallow the span and report nothing.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import ahocorasick

from bot.catalogue.context import Keyed, SportContext, WordInfo
from bot.catalogue.model import Catalogue
from bot.catalogue.normalize import norm, slug
from bot.language.document import Document
from bot.language.fold import blank_spans
from bot.language.pack import pack_for
from bot.models import AliasKind, EntityKind, MatchResult, Mention

_PERSON = "person:"

# Words before a city-like club name that make it a place: "a meeting in Milan", "flew to Turin".
# Plain "to", "from" and "at" are left out on purpose: "a move to Milan", "signed from Milan" and "his
# spell at Milan" mean the club.
_PLACE_BEFORE = re.compile(
    r"(?:^|[^a-z'])(?:in|near|outside|around|across|inside|based in|born in|streets of|city of|"
    r"trip to|flight to|visit to|(?:flew|flown|fly|flying|travell?ed|travell?ing|travels?|headed|heading|"
    r"arrived|arrives?|arriving|landed|landing|lands?|returned|returning|jetted|jetting)\s+(?:to|in|into|at))\s+$"
)

# Photo credits, bylines and newsletter boilerplate are not content. They are blanked with spaces
# (not removed) so that mention offsets still point into the original text.
_BOILERPLATE = re.compile(
    r"\((?:photo|picture|image|pic|credit)s?\b[^()\n]{0,160}\)"
    r"|\b(?:photo|picture|image)s?\s*(?:by|:|credit:?)\s*[^\n()]{0,120}?"
    r"(?:getty images|afp|reuters|pa images|pa wire|ap photo|imago|shutterstock|alamy|icon sport|offside|"
    r"sportsfile|action images)[^\n()]*"
    r"|(?m:^[ \t]*(?:by|words by)[ \t]+[A-Z][\w.'’-]+(?:[ \t]+[A-Z][\w.'’-]+){0,3}[ \t]*$)"
    r"|(?m:^[ \t]*(?:read more|read next|follow us|sign up|subscribe|advertisement|related)\b[^\n]*$)",
    re.IGNORECASE,
)
# The word right before a name, separated by one space (no possessive: "Dortmund's Brandt" is fine).
_NAME_BEFORE = re.compile(r"(?P<word>[^\W\d_][\w.-]*) $")

Entry = tuple[str, AliasKind]
# Word-boundary matching without a per-hit check: every character that is not a letter or digit
# becomes a space (one-for-one, so offsets hold), and every key is padded with a space on each
# side, so the automaton only ever reports whole-word hits. "Milan's", "Alexander-Arnold" and
# "A.C. Milan" fold to "milan s", "alexander arnold", "a c  milan" on both sides alike.
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# A bytes table: bytes.translate is a C table lookup, several times faster than str.translate.
_PUNCT_TO_SPACE = bytes(code if chr(code) in _WORD_CHARS else 32 for code in range(256))


def _words(folded: str) -> str:
    """Map every non-alphanumeric character of folded (lower-case ASCII) text to a space."""
    return folded.encode("ascii", "replace").translate(_PUNCT_TO_SPACE).decode("ascii")


@dataclass(frozen=True, slots=True)
class _Owners:
    """Who an alias may name, pre-classified once when the automaton is built."""

    context_only: bool  # every owner needs context: the span must at least be capitalised
    person_name: bool  # a non-player's full name: swallow the span
    strong: tuple[str, ...]
    places: tuple[str, ...]
    clubs: tuple[str, ...]  # every club owner, whatever the kind (for confirmation)
    players: tuple[str, ...]
    mixed: bool  # one strong owner, plus others that hold it as a weaker kind ("Rangers": Rangers, QPR)
    single_word: bool  # a surname-like alias, which another person's full name can contain

    def __reduce__(self) -> tuple[type[_Owners], tuple[bool, bool, tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                                       tuple[str, ...], bool, bool]]:
        # The matcher is cached pickled (bot.catalogue.cache); compiled frozen classes unpickle by construction.
        return (_Owners, (self.context_only, self.person_name, self.strong, self.places, self.clubs, self.players,
                          self.mixed, self.single_word))


Span = tuple[int, int, _Owners]
_S = TypeVar("_S", bound=tuple[int, int, object])


_BOILERPLATE_HINTS = ("photo", "picture", "image", "pic", "credit", "read more", "read next", "follow us", "sign up",
                      "subscribe", "advertisement", "related")


def boilerplate_spans(text: str, lowered: str | None = None) -> list[tuple[int, int]]:
    """The spans of photo credits, bylines and newsletter lines in ``text``."""
    lowered = text.lower() if lowered is None else lowered
    # Cheap substring checks first: most items have no boilerplate, and the full regex costs ~50 µs.
    if not any(hint in lowered for hint in _BOILERPLATE_HINTS) and not (
        lowered.startswith(("by ", "words by ")) or "\nby " in lowered or "\nwords by " in lowered
    ):
        return []
    return [m.span() for m in _BOILERPLATE.finditer(text)]


def blank_boilerplate(text: str) -> str:
    """Replace photo credits, bylines and newsletter lines with spaces of the same length."""
    return blank_spans(text, boilerplate_spans(text))


def resolve_contained(spans: list[_S]) -> list[_S]:
    """Drop every candidate that lies inside a longer one; keep partial overlaps.

    "Inter Milan" keeps "inter milan" and drops "milan"; "Inter Milan Škriniar" keeps both
    "inter milan" and "milan skriniar", which overlap without one containing the other.
    """
    out: list[_S] = []
    max_end = -1
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if span[1] <= max_end:
            continue
        out.append(span)
        max_end = span[1]
    return out


class Matcher:
    """Matches catalogue aliases in text. Build once per catalogue; ``match`` is pure and thread-safe."""

    _context: SportContext
    _automaton: Any  # ahocorasick.Automaton: key -> (key length, what the key means)
    _empty: bool

    def __init__(self, catalogue: Catalogue, *, parts: tuple[SportContext, Any, bool] | None = None) -> None:
        """Build the automaton for ``catalogue``, or take ``parts`` built for the same aliases (context,
        automaton, whether empty: see :meth:`over` and ``__reduce__``)."""
        self.catalogue = catalogue
        if parts is not None:
            self._context, self._automaton, self._empty = parts
            return
        entries: dict[str, dict[str, AliasKind]] = defaultdict(dict)

        def add(key: str, entity_id: str, kind: AliasKind) -> None:
            # Keep the most trusted kind if an entity has the same folded alias twice.
            entries[f" {_words(key).strip()} "].setdefault(entity_id, kind)

        for alias in catalogue.aliases:
            key = norm(alias.text)
            if len(_words(key).strip()) >= 2:
                add(key, alias.entity_id, alias.kind)
        for person in catalogue.people:
            person_id = _PERSON + slug(person.name)
            for text in person.aliases:
                key = norm(text)
                if len(_words(key).strip()) >= 2:
                    add(key, person_id, AliasKind.STRONG if " " in key else AliasKind.CONTEXT)
        # Sport and women's-football context (bot.catalogue.context): vocabulary keys join the automaton,
        # and every key knows its owners in men's and in women's football.
        self._context = SportContext(catalogue)
        words: dict[str, WordInfo] = {}
        for text, info in self._context.words():
            key = f" {_words(norm(text)).strip()} "
            if len(key.strip()) >= 2:
                words[key] = words[key] | info if key in words else info
        self._automaton = ahocorasick.Automaton()
        for key in entries.keys() | words.keys():
            single = " " not in key.strip()

            def build(owners: dict[str, AliasKind], single: bool = single) -> _Owners:
                return self._classify(owners, single_word=single)

            keyed = self._context.keyed(entries.get(key, {}), words.get(key), multi_word=not single, build=build)
            self._automaton.add_word(key, (len(key) - 2, keyed))
        if entries or words:
            self._automaton.make_automaton()
        self._empty = not entries

    def __reduce__(self) -> tuple[Callable[..., Matcher], tuple[Catalogue, tuple[SportContext, Any, bool]]]:
        # Cached pickled (bot.catalogue.cache): the automaton pickles itself; compiled classes need a constructor.
        return (_restored, (self.catalogue, self._parts()))

    def over(self, catalogue: Catalogue) -> Matcher:
        """This matcher reading ``catalogue`` (a copy of its own, same aliases) for players' clubs."""
        return Matcher(catalogue, parts=self._parts())  # not copy.copy: this class is compiled (bot/native.py)

    def _parts(self) -> tuple[SportContext, Any, bool]:
        return self._context, self._automaton, self._empty

    def _classify(self, owners: dict[str, AliasKind], *, single_word: bool) -> _Owners:
        entities = self.catalogue.entities

        def of_kind(kind: EntityKind) -> tuple[str, ...]:
            return tuple(eid for eid in owners if (e := entities.get(eid)) is not None and e.kind is kind)

        return _Owners(
            context_only=all(kind is AliasKind.CONTEXT for kind in owners.values()),
            person_name=any(eid.startswith(_PERSON) and kind is AliasKind.STRONG for eid, kind in owners.items()),
            strong=tuple(
                eid for eid, kind in owners.items() if kind is AliasKind.STRONG and not eid.startswith(_PERSON)
            ),
            places=tuple(eid for eid, kind in owners.items() if kind is AliasKind.PLACE),
            clubs=of_kind(EntityKind.CLUB),
            players=of_kind(EntityKind.PLAYER),
            mixed=len([eid for eid in owners if not eid.startswith(_PERSON)]) > 1,
            single_word=single_word,
        )

    def match_item(self, title: str, body: str, *, language: str | None = None) -> MatchResult:
        """Match an item's title and body; the result's text is ``title + "\\n\\n" + body`` (within the
        analysis bound of ``bot.language.document``), and its ``document`` the item's reading."""
        return self.match_document(Document.of_item(title, body, language=language))

    def match(self, text: str) -> MatchResult:
        """Return every player and club mention in ``text``, in order of appearance."""
        return self.match_document(Document.of_text(text))

    def match_document(self, doc: Document) -> MatchResult:
        """Find the mentions of a Document (recorded on it) and return them as a MatchResult."""
        text = doc.text
        if self._empty or not text:
            return MatchResult(text, (), doc, doc.language)
        folded = doc.folded
        blanked = folded.text
        spans = boilerplate_spans(text)
        if spans:  # blank the boilerplate in the folded text too (same offsets through the map)
            blanked = blank_spans(blanked, [(folded.to_folded[a], folded.to_folded[b]) for a, b in spans])
        keyed = resolve_contained(self._candidates(f" {_words(blanked)} "))
        # The one point where context decides: each name's owners for its sentence, other sports dropped.
        chosen = self._context.choose(text, keyed, folded.original_span, doc.sentence_of)
        mentions = tuple(sorted(self._resolve(doc, blanked, chosen), key=lambda m: m.start))
        doc.mentions = mentions
        return MatchResult(text, mentions, doc, doc.language)

    def _candidates(self, padded: str) -> list[tuple[int, int, Keyed[_Owners]]]:
        """Whole-word hits in `` words(text) ``; offsets are into the unpadded text."""
        # A hit ends on its trailing pad space at padded index ``end``: the name itself is
        # padded[end - length : end], i.e. text[end - length - 1 : end - 1].
        return [(end - length - 1, end - 1, keyed) for end, (length, keyed) in self._automaton.iter(padded)]

    def _resolve(self, doc: Document, t: str, spans: list[Span]) -> list[Mention]:
        text, to_original = doc.text, doc.folded.original_span
        accepted: dict[int, tuple[str, int, int]] = {}  # span index -> (entity id, original start, end)
        named: set[str] = set()
        weak: list[tuple[int, Span]] = []
        mixed: list[tuple[int, Span]] = []
        for index, span in enumerate(spans):
            start, end, owners = span
            if owners.context_only and not text[to_original(start, end)[0]].isupper():
                continue  # a context-only alias ("rice", "under") in lower case is the word, not the name
            if owners.person_name:
                continue  # a manager's or journalist's full name: not a player, and swallows what it contains
            strong, places = owners.strong, owners.places
            if len(strong) == 1 and owners.mixed:
                mixed.append((index, span))  # decided once we know which clubs the item names
                continue
            if len(strong) == 1:
                chosen = strong[0]
            elif (
                not strong
                and len(places) == 1
                and text[to_original(start, end)[0]].isupper()  # "the Manchester derby" is not Derby
                and not _PLACE_BEFORE.search(t, max(0, start - 40), start)
            ):
                chosen = places[0]
            else:
                weak.append((index, span))
                continue
            accepted[index] = (chosen, *to_original(start, end))
            named.add(chosen)

        # "Rangers" names Rangers unless the item names QPR, whose shared word it also is.
        for index, (start, end, owners) in mixed:
            others = [eid for eid in (*owners.clubs, *owners.players) if eid in named and eid not in owners.strong]
            chosen = others[0] if len(others) == 1 else owners.strong[0]
            accepted[index] = (chosen, *to_original(start, end))
            named.add(chosen)

        # Clubs first (a confirmed club can then anchor a surname in the same sentence), then players.
        sentences = _SentenceIndex(doc, accepted)
        for want in (EntityKind.CLUB, EntityKind.PLAYER):
            for index, (start, end, owners) in weak:
                candidates = owners.clubs if want is EntityKind.CLUB else owners.players
                if index in accepted or not candidates:
                    continue
                o_start, o_end = to_original(start, end)
                picked = self._pick(candidates, named, accepted, sentences, o_start, want, t[start:end])
                if picked is None and want is EntityKind.CLUB:
                    picked = self._short_name(doc, t[start:end], candidates)
                if picked is not None:
                    accepted[index] = (picked, o_start, o_end)
                    named.add(picked)
        return [
            Mention(eid, s, e, text[s:e])
            for index, (eid, s, e) in accepted.items()
            if not (spans[index][2].single_word and eid in spans[index][2].players and self._namesake(text, s))
        ]

    def _namesake(self, text: str, start: int) -> bool:
        """True when a surname follows another capitalised name: "Tyler Brandt" is not Julian Brandt.

        Not applied after a sentence start ("Yesterday Brandt …"), a known name or a possessive
        ("Dortmund's Brandt", "Dortmund Brandt"), or on a Title Case line, where every word is capitalised.
        """
        before = _NAME_BEFORE.search(text, max(0, start - 40), start)
        if before is None:
            return False
        word = before.group("word")
        if not word[0].isupper() or word.isupper() or self.catalogue.aliases_for(norm(word)):
            return False
        ahead = text[: before.start("word")].rstrip(" \t")
        if not ahead or ahead[-1] in ".!?:;\n\"“‘'(—–-":
            return False
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        words = [w for w in text[line_start : line_end if line_end != -1 else len(text)].split() if len(w) > 3]
        title_case = bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
        return not title_case

    def _short_name(self, doc: Document, text: str, candidates: tuple[str, ...]) -> str | None:
        """The club a shared short name stands for in the press of the item's language ("l'Inter" in Italian
        is never Inter Miami): ``short_names`` in ``seeds/vocabulary/<language>/press.toml``."""
        name = pack_for(doc.language, doc.seeds).vocabulary.short_names.get(" ".join(text.split()))
        if name is None:
            return None
        return next((c for c in candidates if (club := self.catalogue.find(c)) is not None and club.name == name), None)

    def _pick(
        self,
        candidates: tuple[str, ...],
        named: set[str],
        accepted: dict[int, tuple[str, int, int]],
        sentences: _SentenceIndex,
        at: int,
        want: EntityKind,
        name: str,
    ) -> str | None:
        already = [eid for eid in candidates if eid in named]
        if len(already) == 1:
            return already[0]
        if already:
            return None
        if want is EntityKind.CLUB:
            # "Inter have ruled out selling Lautaro": a generic word also confirms the club of a
            # player named in the item, when exactly one candidate club fits.
            clubs_of_named = {
                player.club_id for eid in named if (player := self.catalogue.find(eid)) is not None and player.club_id
            }
            via_players = [eid for eid in candidates if eid in clubs_of_named]
            if via_players:
                return via_players[0] if len(via_players) == 1 else None
            return self._by_league(candidates, named | clubs_of_named, name)
        clubs_here = sentences.named_in(at)
        by_club = [eid for eid in candidates if (p := self.catalogue.find(eid)) is not None and p.club_id in clubs_here]
        return by_club[0] if len(by_club) == 1 else None


    def _by_league(self, candidates: tuple[str, ...], named: set[str], name: str) -> str | None:
        """The one candidate club whose league the item's other clubs play in: "Inter" among Lazio and AC Milan
        is Inter, among Grêmio and Flamengo Internacional, among Orlando City and LAFC Inter Miami.

        Only a club's own name that other clubs share as a nickname decides this way ("Inter" is Inter's
        name): a nickname several clubs use ("City", "the Tigers") or a word one club holds ("Wednesday",
        "Milan" the city) still needs that club named, and a men's club and its women's side are told apart
        by the sport's context (bot.catalogue.context), not by league.
        """
        entities = self.catalogue.entities
        own_name = any((club := entities.get(eid)) is not None and norm(club.name) == norm(name) for eid in candidates)
        if len(candidates) < 2 or not own_name:
            return None
        stems = [club.name.removesuffix(" Women") for eid in candidates if (club := entities.get(eid)) is not None]
        if len(set(stems)) < len(stems):
            return None
        leagues = {club.league for eid in named if (club := entities.get(eid)) is not None
                   and club.kind is EntityKind.CLUB and club.league}
        fits = [eid for eid in candidates if (club := entities.get(eid)) is not None and club.league in leagues]
        return fits[0] if len(fits) == 1 else None


class _SentenceIndex:
    """The accepted mentions by sentence, brought up to date as mentions are accepted.

    The player pass asks, for each ambiguous surname, what its sentence names; collecting that once
    (not per surname) keeps a long item linear in its mentions.
    """

    __slots__ = ("_accepted", "_by_sentence", "_doc", "_done")

    def __init__(self, doc: Document, accepted: dict[int, tuple[str, int, int]]) -> None:
        self._doc = doc
        self._accepted = accepted  # only ever grows, in insertion order
        self._done = 0
        self._by_sentence: dict[int, set[str]] = {}

    def named_in(self, at: int) -> set[str]:
        """The entities accepted so far in the sentence of original offset ``at``."""
        if self._done < len(self._accepted):
            for eid, start, _end in itertools.islice(self._accepted.values(), self._done, None):
                self._by_sentence.setdefault(self._doc.sentence_of(start), set()).add(eid)
            self._done = len(self._accepted)
        return self._by_sentence.get(self._doc.sentence_of(at), set())


def _restored(catalogue: Catalogue, parts: tuple[SportContext, Any, bool]) -> Matcher:
    """A matcher unpickled from its parts (see ``Matcher.__reduce__``)."""
    return Matcher(catalogue, parts=parts)
