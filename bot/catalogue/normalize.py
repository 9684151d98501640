"""Fold text for matching: anyascii + lower-case, with a map back to the original offsets.

"Drăgușin’s" and "DRAGUSIN's" both become "dragusin's". Aliases and article text go through the
same function, so matching happens on folded text while mentions are reported as written.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

_APOSTROPHES = frozenset("’‘ʼ`´′")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def _fold_char(chars: str) -> str:
    if chars.isspace():
        return " "  # no-break and other Unicode spaces
    if chars in _APOSTROPHES:
        return "'"
    folded = anyascii(chars)
    # anyascii turns some symbols into words ("€" -> "EUR"); pad those so they never glue onto a name.
    return folded if len(folded) <= 1 or (folded.isalpha() and chars.isalpha()) else f" {folded} "


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus the breakpoints needed to map folded offsets back to the original."""

    text: str
    _norm_at: tuple[int, ...] = ()
    _orig_at: tuple[int, ...] = ()

    def original_index(self, n: int) -> int:
        """Return the index in the original text of the character that produced folded char ``n``."""
        i = bisect_right(self._norm_at, n) - 1
        if i < 0:
            return n
        if i % 2 == 0:  # inside a replacement: every folded char maps to the replaced original char
            return self._orig_at[i]
        return self._orig_at[i] + (n - self._norm_at[i])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded half-open span to the original text's half-open span."""
        return self.original_index(start), self.original_index(end - 1) + 1


# Per-character folds, learned lazily: one-to-one folds go in a str.translate table (offsets stay
# the identity), the rest (ß -> ss, æ -> ae, combining marks -> "", € -> " EUR ") need the offset map.
_ONE_TO_ONE: dict[int, str] = {ord(c): " " for c in "\t\n\r\f\v"}
_OTHER: set[str] = set()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_SPACES = bytes(32 if chr(code) in "\t\n\r\f\v" else code for code in range(256))


def _learn(chars: set[str]) -> bool:
    """Record how each new character folds; return True if every character folds one-to-one."""
    simple = True
    for char in chars:
        if ord(char) in _ONE_TO_ONE:
            continue
        if char in _OTHER:
            simple = False
            continue
        folded = _fold_char(char)
        if len(folded) == 1:
            _ONE_TO_ONE[ord(char)] = folded
        else:
            _OTHER.add(char)
            simple = False
    return simple


def fold(text: str) -> Folded:
    """Fold ``text`` for matching and keep the offset map back to it."""
    if text.isascii():
        return Folded(_ascii_lower(text))
    if _learn(set(_NON_ASCII.findall(text))):
        return Folded(_ascii_lower(_NON_ASCII.sub(_one_char, text)))
    pieces: list[str] = []
    norm_at: list[int] = []
    orig_at: list[int] = []
    pos = npos = 0
    for m in _NON_ASCII.finditer(text):
        char = m.group()
        if ord(char) in _ONE_TO_ONE:
            continue  # folded by translate below, length unchanged
        start, end = m.span()
        pieces.append(text[pos:start])
        npos += start - pos
        replacement = _fold_char(char)
        pieces.append(replacement)
        norm_at.append(npos)
        orig_at.append(start)
        npos += len(replacement)
        norm_at.append(npos)
        orig_at.append(end)
        pos = end
    pieces.append(text[pos:])
    folded = _NON_ASCII.sub(_one_char, "".join(pieces))
    return Folded(_ascii_lower(folded), tuple(norm_at), tuple(orig_at))


def _one_char(found: re.Match[str]) -> str:
    return _ONE_TO_ONE[ord(found.group())]


def _ascii_lower(text: str) -> str:
    # str.translate with a dict walks the string in Python-level lookups on non-ASCII input; by
    # now the text is ASCII, so a bytes table does the whitespace in C.
    return text.encode("ascii", "replace").translate(_ASCII_SPACES).decode("ascii").lower()


@lru_cache(maxsize=1 << 17)
def norm(text: str) -> str:
    """Fold a name or query (no offset map), with surrounding whitespace removed.

    Cached: names are folded again and again (seed loading, merging, imports of tens of thousands of rows).
    """
    return fold(text).text.strip()


def slug(text: str) -> str:
    """Make an ASCII identifier from a name: "Radu Drăgușin" -> "radu-dragusin"."""
    return _SLUG_JUNK.sub("-", anyascii(text).lower()).strip("-")
