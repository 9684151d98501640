"""Which cue patterns can match a text, from one Aho-Corasick pass over it.

The cue patterns are long alternations that Python's regex engine tries at every position of a
clause. Each alternative needs some literal word ("bid", "offer", "agreed"); finding those literals
first skips most patterns on most clauses. The literals are read off the compiled patterns, so they
cannot drift from them; a pattern whose literals cannot be read (or with one shorter than three
characters) is always run.
"""

from __future__ import annotations

import importlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

import ahocorasick

__all__ = ["LiteralIndex", "Prefilter", "known_literals", "learn_literals", "literals_of"]

try:
    _SRE_PARSER: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a Python without re._parser: no prefilter
    _SRE_PARSER = None


def _required(items: Any) -> frozenset[str] | None:
    """Literals one of which every match of the parsed sequence ``items`` contains, or None."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or _telling(found) > _telling(best)):
            best = found

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:
            prefix = "".join(run)
            consider(frozenset({prefix}))
            # "(?:will|would)" parses as "w" + (ill|ould): the literal before a group joins each way the
            # group starts ("will", "would"), far more telling than "ill" and "ould" alone.
            heads = _heads([(op, av)])
            if heads:
                consider(frozenset(prefix + head for head in heads))
            run = []
        if name == "SUBPATTERN":
            consider(_required(av[-1]))
        elif name == "BRANCH":
            alternatives = [_required(alt) for alt in av[1]]
            if all(alternatives):
                consider(frozenset().union(*(a for a in alternatives if a)))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            consider(_required(av[2]))
    if run:
        consider(frozenset({"".join(run)}))
    return best


# Literals this short and this common would be found almost everywhere: a pattern that needs one of
# them is not indexed (the index would only grow). Speed only: any literal set is exact.
_COMMON_SHORT = frozenset(
    "a i v at of in by to no on is it as an be he we or so up if do go me my us am".split() + list(",.:'&()-")
)
_MAX_CHECK_LITERALS = 8


# Words found in nearly every sentence: as a pattern's literal they rule out almost nothing, so a set of
# rarer literals is preferred ("the striker" is found by "striker", not by "the").
_COMMON_WORDS = frozenset("the and for with his her has have had was are that this from not but who him its".split())


def _telling(literals: frozenset[str]) -> int:
    """How well a literal set rules texts out: its shortest literal's length, a very common word counting 1."""
    return min(1 if lit in _COMMON_WORDS else len(lit) for lit in literals)


def _worth_indexing(literals: tuple[str, ...]) -> bool:
    """True when every literal is long enough, or short but rare ("cb", "gk"), and no very common word."""
    return all(
        (len(lit) >= 3 or (len(lit) == 2 and lit not in _COMMON_SHORT)) and lit not in _COMMON_WORDS for lit in literals
    )


_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})


def heads_of(source: str) -> tuple[str, ...] | None:
    """Literals one of which every match of the regex ``source`` (no flags) starts with (None: not known)."""
    if _SRE_PARSER is None:
        return None
    try:
        found = _heads(_SRE_PARSER.parse(source, 0))
    except Exception:  # pragma: no cover - an unexpected parser shape: no heads
        return None
    return tuple(sorted(found)) if found else None


def _heads(items: Any) -> frozenset[str] | None:
    """Literals one of which every match of the parsed sequence ``items`` starts with, or None.

    Zero-width assertions at the start (``\b``, look-arounds) are stepped over: they consume nothing.
    """
    run: list[str] = []
    for op, av in items:
        name = str(op)
        if name in _ZERO_WIDTH and not run:
            continue
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:
            break
        if name == "SUBPATTERN" and not av[1] & re.IGNORECASE:
            return _heads(av[-1])
        if name == "BRANCH":
            alternatives = [_heads(alt) for alt in av[1]]
            return frozenset().union(*(a for a in alternatives if a)) if all(alternatives) else None
        return None
    return frozenset({"".join(run)}) if run else None


# (source, flags) -> literals: worked out once per process, or learnt from the reader cache
# (bot.catalogue.cache), since parsing every pattern again is a third of loading a language pack.
_LITERALS: dict[tuple[str, int], tuple[str, ...] | None] = {}


def known_literals() -> dict[tuple[str, int], tuple[str, ...] | None]:
    """Every pattern's literals worked out so far in this process (for the reader cache)."""
    return dict(_LITERALS)


def learn_literals(table: dict[tuple[str, int], tuple[str, ...] | None]) -> None:
    """Take literals worked out by an earlier run (``known_literals``) of the same patterns and Python."""
    _LITERALS.update(table)


def literals_of(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The prefilter literals of ``pattern`` (None: always run it)."""
    key = (pattern.pattern, pattern.flags)
    if key not in _LITERALS:
        _LITERALS[key] = _literals(pattern)
    return _LITERALS[key]


def _literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    if _SRE_PARSER is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        found = _required(_SRE_PARSER.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - an unexpected parser shape: no prefilter
        return None
    if not found:
        return None
    # "offer" already covers "offered": keep the shortest literals only.
    return tuple(sorted(lit for lit in found if not any(o != lit and o in lit for o in found)))


class Prefilter:
    """Registered patterns get a number (and a bit, ``1 << number``); ``present(text)`` is the mask of those one
    of whose literals occurs in ``text``. ``index(text)`` finds the literals of a whole text once, so that any
    span of it can then be asked without another pass (``LiteralIndex``)."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self._numbers: dict[str, int] = {}  # pattern source → number (unregistered: always run)
        # Unregistered patterns with a few literals, some very short (";" of a clause break): one quick
        # regex over the literals says whether the pattern is worth running.
        self._checks: dict[str, re.Pattern[str]] = {}
        words: dict[str, int] = {}  # literal → mask of the patterns that need it
        for pattern in patterns:
            literals = literals_of(pattern)
            if literals is None or pattern.pattern in self._numbers:
                continue
            if not _worth_indexing(literals):
                if len(literals) <= _MAX_CHECK_LITERALS and not _COMMON_SHORT.intersection(literals):
                    self._checks[pattern.pattern] = re.compile("|".join(map(re.escape, literals)))
                continue
            number = self._numbers[pattern.pattern] = len(self._numbers)
            for literal in literals:
                words[literal] = words.get(literal, 0) | 1 << number
        # With no whitespace in any literal, blanking a text with spaces only removes the occurrences it
        # overlaps (see ``LiteralIndex.blanked``).
        self.spaceless = not any(char.isspace() for word in words for char in word)
        self._automaton: Any = None
        if words:
            automaton = ahocorasick.Automaton()
            for word, mask in words.items():
                automaton.add_word(word, (len(word), mask))
            automaton.make_automaton()
            self._automaton = automaton

    def number(self, pattern: re.Pattern[str]) -> int | None:
        """The pattern's number (its bit in ``present`` answers is ``1 << number``), or None when it is always run."""
        return self._numbers.get(pattern.pattern)

    def check(self, pattern: re.Pattern[str]) -> re.Pattern[str] | None:
        """For a pattern with no bit: a regex over its literals that must find one for it to match (or None)."""
        return self._checks.get(pattern.pattern)

    def bit(self, pattern: re.Pattern[str]) -> int:
        """The pattern's bit in ``present`` answers; 0 when it is always run."""
        number = self._numbers.get(pattern.pattern)
        return 0 if number is None else 1 << number

    def present(self, text: str) -> int:
        """The mask of the registered patterns one of whose literals occurs in ``text``."""
        mask = 0
        if self._automaton is not None:
            for _end, (_length, found) in self._automaton.iter(text):
                mask |= found
        return mask

    def contains(self, text: str, bit: int) -> bool:
        """True when a literal of the pattern with this bit occurs in ``text`` (stops at the first)."""
        if self._automaton is not None:
            for _end, (_length, found) in self._automaton.iter(text):
                if found & bit:
                    return True
        return False

    def index(self, text: str) -> LiteralIndex:
        """Every literal occurrence in ``text``, for questions about its spans."""
        hits: list[tuple[int, int, int]] = []
        if self._automaton is not None:
            hits = [(end + 1 - length, end + 1, mask) for end, (length, mask) in self._automaton.iter(text)]
            hits.sort()
        return LiteralIndex(hits)


class LiteralIndex:
    """The literal occurrences of one text as (start, end, mask), by start: a span's answer is a bisection away.

    ``present(start, end)`` is what ``Prefilter.present(text[start:end])`` answers: a literal occurs in a slice
    exactly when an occurrence in the whole text lies inside the slice's span.
    """

    __slots__ = ("_hits", "_starts")

    def __init__(self, hits: list[tuple[int, int, int]]) -> None:
        self._hits = hits
        self._starts = [start for start, _end, _mask in hits]

    def present(self, start: int, end: int) -> int:
        """The mask of patterns with a literal inside ``[start, end)``."""
        mask = 0
        for _s, e, found in self._hits[bisect_left(self._starts, start) : bisect_left(self._starts, end)]:
            if e <= end:
                mask |= found
        return mask

    def blanked(self, spans: list[tuple[int, int]]) -> LiteralIndex:
        """The index of the same text with ``spans`` (sorted, disjoint) replaced by spaces, when no literal
        holds whitespace: the occurrences that overlap a span are gone, and no new one can appear."""
        kept: list[tuple[int, int, int]] = []
        starts = [start for start, _end in spans]
        for hit in self._hits:
            at = bisect_right(starts, hit[0])
            # spans[at - 1] starts at or before the hit; spans[at] starts after it
            if (at > 0 and spans[at - 1][1] > hit[0]) or (at < len(spans) and spans[at][0] < hit[1]):
                continue
            kept.append(hit)
        return LiteralIndex(kept)

    def contains(self, start: int, end: int, bit: int) -> bool:
        """True when a literal of the pattern with this bit lies inside ``[start, end)``."""
        for _s, e, found in self._hits[bisect_left(self._starts, start) : bisect_left(self._starts, end)]:
            if e <= end and found & bit:
                return True
        return False
