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
from collections.abc import Iterable
from typing import Any

import ahocorasick

__all__ = ["Prefilter", "literals_of"]

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
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:
            consider(frozenset({"".join(run)}))
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


def literals_of(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The prefilter literals of ``pattern`` (None: always run it)."""
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
    """Registered patterns get a number; ``present(text)`` names those one of whose literals occurs."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self._numbers: dict[str, int] = {}  # pattern source → number (unregistered: always run)
        words: dict[str, set[int]] = {}
        for pattern in patterns:
            literals = literals_of(pattern)
            if literals is None or min(map(len, literals)) < 3 or pattern.pattern in self._numbers:
                continue
            number = self._numbers[pattern.pattern] = len(self._numbers)
            for literal in literals:
                words.setdefault(literal, set()).add(number)
        self._automaton: Any = None
        if words:
            automaton = ahocorasick.Automaton()
            for word, numbers in words.items():
                automaton.add_word(word, frozenset(numbers))
            automaton.make_automaton()
            self._automaton = automaton

    def number(self, pattern: re.Pattern[str]) -> int | None:
        """The pattern's number in ``present`` answers, or None when it is always run."""
        return self._numbers.get(pattern.pattern)

    def present(self, text: str) -> frozenset[int]:
        """The registered patterns one of whose literals occurs in ``text``."""
        if self._automaton is None:
            return frozenset()
        hits: set[int] = set()
        for _end, numbers in self._automaton.iter(text):
            hits |= numbers
        return frozenset(hits)
