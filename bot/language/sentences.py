"""Sentences: one splitter for the whole project, linear in the length of the text.

A line is at least its own sentence. A full stop after an abbreviation ("Mr.", "St.", "A.C.", an
initial "J.") does not end a sentence, and neither does one followed by "(" or a lower-case word. A
parenthesised citation ("(Mirror)") that follows a full stop stays with the sentence before it.
Every look-back is bounded (an abbreviation is a short word; a citation a short parenthesis), so no
step rescans the text before it.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["split_sentences"]

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr vs v no nos fc ac sc cf inc ltd co etc approx gen prof rev sen rep mt ft".split()
)
_SENTENCE_END = re.compile(r"[.!?]+['\"’”)]*(?=\s)")
_CITE_PAREN_END = re.compile(r"\)\s*(?=[A-Z0-9\"'‘“])")
_NEXT_VISIBLE = re.compile(r"\S")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_LEAGUE_LETTER = re.compile(r"\b(?:Serie|Série|Group|Liga|Division|League|Pool)\s+[A-Z]$")
_PARENTHETICAL = re.compile(r"\([^()]{1,60}\)\.?")
_WORD_WINDOW = 64  # longest abbreviation looked at ("A.C.", "e.g."): far more than enough
_CITATION_WINDOW = 60  # the longest "(Outlet)" kept with the sentence before it


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans ``(start, end)``; every line is at least its own sentence."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        cuts = [line_start, *_cuts(text, line_start, line_end)]
        cuts = [*sorted(set(cuts)), line_end]
        for start, end in itertools.pairwise(cuts):
            s, e = _trim(text, start, end)
            if s < e:
                spans.append((s, e))
        line_start = line_end + 1
    return _merge_parentheticals(text, spans)


def _cuts(text: str, line_start: int, line_end: int) -> list[int]:
    cuts: list[int] = []
    for match in _SENTENCE_END.finditer(text, line_start, line_end):
        end = match.end()
        visible = _NEXT_VISIBLE.search(text, end, line_end)
        if visible is None:
            continue
        first = visible.group()
        if not (first.isupper() or first.isdigit() or first in "\"'‘“"):
            continue
        if match.group(0).startswith(".") and _is_abbreviation(
            text[max(line_start, match.start() - _WORD_WINDOW) : match.start()]
        ):
            continue
        cuts.append(end)
    for match in _CITE_PAREN_END.finditer(text, line_start, line_end):
        opening = text.rfind("(", max(line_start, match.start() - _CITATION_WINDOW - 1), match.start())
        if opening != -1 and match.start() - opening <= _CITATION_WINDOW:
            cuts.append(match.start() + 1)
    return cuts


def _is_abbreviation(before: str) -> bool:
    word = _LAST_WORD.search(before)
    if word is None:
        return False
    token = word.group(1)
    if "." in token:  # "A.C", "e.g"; but "Calciomercato.com." ends a sentence
        return all(len(part) <= 2 for part in token.split(".") if part)
    if len(token) == 1 and token.isupper():
        return _LEAGUE_LETTER.search(before) is None  # an initial ("J. Smith"), not "Serie A."
    return token.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the whitespace at either end (str.strip's whitespace is str.isspace's)."""
    segment = text[start:end]
    left = len(segment) - len(segment.lstrip())
    if left == len(segment):
        return end, end
    return start + left, end - (len(segment) - len(segment.rstrip()))


def _merge_parentheticals(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue a sentence that is only "(Outlet)" onto the sentence before it, on the same line."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if (
            merged
            and end - start <= 64
            and _PARENTHETICAL.fullmatch(text, start, end)
            and "\n" not in text[merged[-1][1] : start]
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
