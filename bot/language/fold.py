"""The one fold of the project: ASCII transliteration + lower case, with a two-way offset map.

"Drăgușin’s" and "DRAGUSIN's" both become "dragusin's". Catalogue aliases, source names, follow
terms and article text all go through :func:`fold`, so every consumer compares like with like, and
offsets found in folded text map back to the text as written (and the other way round).

Rules, per character: ASCII is lower-cased and kept (line breaks included: sentences need them);
a non-ASCII space becomes " "; any other character becomes its ``anyascii`` transliteration,
case-folded ("ă" → "a", "ß" → "ss", "€" → "eur", "’" → "'"); a character with no ASCII form
(combining marks, some symbols) vanishes.

Speed: most characters fold to exactly one character. Those are learnt once into a table, and a text
made only of ASCII and such characters is folded by one regex pass with identity offset maps
(``range`` objects: no list is built). Only texts with expanding or vanishing characters pay for
explicit maps.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from anyascii import anyascii

__all__ = ["Folded", "blank_spans", "fold", "fold_cased", "fold_text"]

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Characters that fold to exactly one character (folded, and transliterated keeping case).
_ONE: dict[str, str] = {}
_ONE_CASED: dict[str, str] = {}
# Characters that fold to zero or several characters, with their fold and cased transliteration.
_OTHER: dict[str, tuple[str, str]] = {}
# The same, by code point, for str.translate (one C pass over the text, where re.sub called back per character).
_ONE_TABLE: dict[int, str] = {}
_ONE_CASED_TABLE: dict[int, str] = {}
_ANY_CASED_TABLE: dict[int, str] = {}  # every learnt character's cased form (one-to-one or not)


def _learn(char: str) -> bool:
    """Record how ``char`` folds; True when it folds to exactly one character."""
    if char in _ONE:
        return True
    if char in _OTHER:
        return False
    if char.isspace():
        _ONE[char] = _ONE_CASED[char] = " "
        _ONE_TABLE[ord(char)] = _ONE_CASED_TABLE[ord(char)] = _ANY_CASED_TABLE[ord(char)] = " "
        return True
    cased = anyascii(char)
    folded = cased.casefold()
    if len(folded) == 1 and len(cased) == 1:
        _ONE[char], _ONE_CASED[char] = folded, cased
        _ONE_TABLE[ord(char)], _ONE_CASED_TABLE[ord(char)] = folded, cased
        _ANY_CASED_TABLE[ord(char)] = cased
        return True
    # Keep the cased form as long as the folded one, so that both share one offset map.
    _OTHER[char] = (folded, cased if len(cased) == len(folded) else folded)
    _ANY_CASED_TABLE[ord(char)] = _OTHER[char][1]
    return False


def _one_to_one(text: str) -> bool:
    simple = True
    for char in [c for c in set(text) if ord(c) > 127]:  # learn every character, even after a complex one
        simple = _learn(char) and simple
    return simple


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text and the maps between its offsets and the original's.

    ``to_original[i]`` is the original index of the character that produced folded character ``i``
    (one extra entry: the original length); ``to_folded[j]`` is the first folded character produced
    by original character ``j`` or after it (one extra entry: the folded length).
    """

    text: str
    to_original: Sequence[int]
    to_folded: Sequence[int]

    @property
    def identity(self) -> bool:
        """True when every character folded to exactly one character."""
        return isinstance(self.to_original, range)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded half-open span to the original text's half-open span."""
        if end <= start:
            return self.to_original[start], self.to_original[start]
        return self.to_original[start], self.to_original[end - 1] + 1


def fold_text(text: str) -> str:
    """The folded form of ``text`` (no maps): for names, terms and look-ups."""
    if text.isascii():
        return text.lower()
    if _one_to_one(text):
        return text.translate(_ONE_TABLE).lower()
    return fold(text).text


def fold_cased(text: str) -> str:
    """Transliterate like :func:`fold_text` but keep letter case; same length as ``fold_text(text)``."""
    if text.isascii():
        return text
    if _one_to_one(text):
        return text.translate(_ONE_CASED_TABLE)
    return text.translate(_ANY_CASED_TABLE)  # every non-ASCII character is learnt by now


def fold(text: str) -> Folded:
    """Fold ``text`` and keep the offset maps both ways."""
    if text.isascii() or _one_to_one(text):
        identity = range(len(text) + 1)
        return Folded(fold_text(text), identity, identity)
    pieces: list[str] = []
    to_original: list[int] = []
    pos = 0
    for found in _NON_ASCII.finditer(text):
        char, index = found.group(), found.start()
        if char in _ONE:
            continue  # folded with the run around it
        pieces.append(text[pos:index])
        to_original.extend(range(pos, index))
        pos = index + 1
        piece = _OTHER[char][0]
        pieces.append(piece)
        to_original.extend([index] * len(piece))
    pieces.append(text[pos:])
    to_original.extend(range(pos, len(text) + 1))
    folded = "".join(pieces).translate(_ONE_TABLE).lower()
    return Folded(folded, to_original, _invert(text, to_original))


def _invert(text: str, to_original: list[int]) -> list[int]:
    """Original index → first folded index produced at or after it.

    Only non-ASCII characters fold to more or fewer than one character, so the map is looked up
    (by bisection) at those characters and their successors and is linear in between.
    """
    produced = to_original[:-1]
    anchors = sorted({0, len(text), *(i for m in _NON_ASCII.finditer(text) for i in (m.start(), m.end()))})
    to_folded: list[int] = []
    for anchor, following in itertools.pairwise(anchors):
        first = bisect_left(produced, anchor)
        to_folded.extend(range(first, first + following - anchor))
    to_folded.append(bisect_left(produced, len(text)))
    return to_folded


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each of the (sorted, disjoint) ``spans`` replaced by as many spaces (offsets hold)."""
    if not spans:
        return text
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.extend((text[cursor:start], " " * (end - start)))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
