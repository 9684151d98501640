"""What one reading of a Document needs: the text in its forms, the language pack, and memos per span."""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.language.document import Document
from bot.language.fold import blank_spans
from bot.language.pack import LanguagePack
from bot.language.prefilter import LiteralIndex
from bot.language.wordings import CueSet
from bot.models import Entity, Mention

__all__ = ["CatalogueLike", "Context", "Hit", "is_club", "is_player"]

_DIGIT = re.compile(r"\d")


# A wording that fired: (wording id, folded start, folded end) in the Document's folded text.
Hit = tuple[str, int, int]


class CatalogueLike(Protocol):
    """What the reader needs from the catalogue."""

    def get(self, entity_id: str) -> Entity:
        """The entity with this id (may raise KeyError)."""
        ...


def is_player(entity_id: str) -> bool:
    """True for a player id."""
    return entity_id.startswith("player:")


def is_club(entity_id: str) -> bool:
    """True for a club id."""
    return entity_id.startswith("club:")


@dataclass(slots=True)
class Context:
    """One extraction run over one Document."""

    doc: Document
    lang: LanguagePack
    catalogue: CatalogueLike
    mentions: list[Mention]
    entities: dict[str, Entity | None] = field(default_factory=dict)
    player_ids: list[str] = field(default_factory=list)  # distinct players of the item (companions aside)
    # The folded text with background ("joined in 2021") blanked: where cues are read. Set with ``past``,
    # the blanked spans (the cue text is the folded text itself when nothing is blanked).
    cues: str = ""
    past: list[tuple[int, int]] = field(default_factory=list)
    companions: dict[int, int] = field(default_factory=dict)  # folded start → end of companion mentions
    # Mentions as (folded start, position in ``mentions``, folded end, mention), by folded start.
    spans: list[tuple[int, int, int, Mention]] = field(default_factory=list)
    span_starts: list[int] = field(default_factory=list)
    longest: int = 0  # the longest mention's folded length
    in_order: bool = True  # ``spans`` (by folded start) are also in ``mentions`` order
    triples: list[tuple[int, int, Mention]] = field(default_factory=list)  # ``spans`` as ``within`` returns them
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # per-span answers (clauses are read often)
    # The prefilter's literals of the folded text, and of the cue text (with that text): found once per run.
    folded_literals: LiteralIndex | None = None
    searched: dict[tuple[str, int, int], re.Match[str] | None] = field(default_factory=dict)  # ``search`` answers
    window_masks: dict[tuple[int, int], int] = field(default_factory=dict)  # literal masks of folded windows
    digits: list[int] | None = None  # where the folded text has digits (found on first use)
    cue_literals: tuple[str, LiteralIndex] | None = None

    @property
    def folded(self) -> str:
        """The folded text."""
        return self.doc.folded.text

    def index_spans(self) -> None:
        """Fold every mention's span once."""
        to_folded = self.doc.folded.to_folded
        self.spans = sorted((to_folded[m.start], i, to_folded[m.end], m) for i, m in enumerate(self.mentions))
        self.span_starts = [span[0] for span in self.spans]
        self.longest = max((end - start for start, _i, end, _m in self.spans), default=0)
        # The matcher lists mentions by start: then text order is ``mentions`` order and needs no sort.
        self.in_order = all(a[1] < b[1] for a, b in itertools.pairwise(self.spans))
        self.triples = [(s, e, m) for s, _i, e, m in self.spans]

    def within(self, start: int, end: int) -> list[tuple[int, int, Mention]]:
        """The mentions starting in ``[start, end)`` as (folded start, folded end, mention), in ``mentions`` order."""
        first, last = bisect_left(self.span_starts, start), bisect_left(self.span_starts, end)
        if self.in_order:
            return self.triples[first:last]
        return [(s, e, m) for s, _i, e, m in sorted(self.spans[first:last], key=lambda span: span[1])]

    def overlaps_mention(self, start: int, end: int) -> bool:
        """True when a mention overlaps the folded span ``[start, end)`` (only mentions that start at most
        the longest mention's length before it can reach into it: a bounded look, not a scan)."""
        first = bisect_left(self.span_starts, start - self.longest)
        last = bisect_left(self.span_starts, end)
        return any(s < end and start < e for s, _i, e, _m in self.spans[first:last])

    def entity(self, entity_id: str) -> Entity | None:
        """The catalogue entity (None when unknown), looked up once per run."""
        if entity_id not in self.entities:
            try:
                self.entities[entity_id] = self.catalogue.get(entity_id)
            except KeyError:
                self.entities[entity_id] = None
        return self.entities[entity_id]

    def fspan(self, mention: Mention) -> tuple[int, int]:
        """A mention's folded span."""
        to_folded = self.doc.folded.to_folded
        return to_folded[mention.start], to_folded[mention.end]

    def original(self, start: int, end: int) -> str:
        """The original text of a folded span."""
        return self.doc.original(start, end)

    def present(self, start: int, end: int) -> int:
        """The prefilter's answer (a mask) for the cue text of a span (computed once per span)."""
        key = ("present", start, end)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._cue_literals().present(start, end)
        return found

    def search(self, cues: CueSet | re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """``pattern.search(folded[start:end])``, skipped when none of its literals lies in the span."""
        if isinstance(cues, CueSet):
            pattern, bit, check = cues.pattern, cues.bit, cues.check
        else:
            pattern, bit, check = cues, self.lang.prefilter.bit(cues), self.lang.prefilter.check(cues)
        if bit and not self.window_mask(start, end) & bit:
            return None
        # The same window is often asked twice (a club's role, then whether it is a suitor).
        key = (pattern.pattern, start, end)
        if key in self.searched:
            return self.searched[key]
        piece = self.folded[start:end]
        found = None if check is not None and check.search(piece) is None else pattern.search(piece)
        self.searched[key] = found
        return found

    def has_digit(self, start: int, end: int) -> bool:
        """True when the folded span ``[start, end)`` holds a digit (scores, fees, ages need one)."""
        if self.digits is None:
            self.digits = [found.start() for found in _DIGIT.finditer(self.folded)]
        at = bisect_left(self.digits, start)
        return at < len(self.digits) and self.digits[at] < end

    def window_mask(self, start: int, end: int) -> int:
        """The prefilter's mask for the folded window ``[start, end)`` (one per window: the same window is
        asked about several patterns in a row)."""
        mask = self.window_masks.get((start, end))
        if mask is None:
            mask = self.window_masks[(start, end)] = self._folded_literals().present(start, end)
        return mask

    def may_find(self, cues: CueSet | re.Pattern[str], start: int, end: int) -> bool:
        """False when the pattern cannot match anywhere in the folded window ``[start, end)`` (its literals are
        missing), whether it is run on the slice or with ``pos``/``endpos``: a match lies inside the window."""
        if isinstance(cues, CueSet):
            bit, check = cues.bit, cues.check
        else:
            bit, check = self.lang.prefilter.bit(cues), self.lang.prefilter.check(cues)
        if bit:
            return bool(self.window_mask(start, end) & bit)
        return check is None or check.search(self.folded, start, end) is not None

    def _cue_literals(self) -> LiteralIndex:
        """The prefilter's literals of the cue text, found once (again if the cue text is replaced)."""
        if self.cue_literals is None or self.cue_literals[0] is not self.cues:
            if self.cues is self.folded:
                index = self._folded_literals()
            elif self.lang.prefilter.spaceless and self.cues == blank_spans(self.folded, self.past):
                # The cue text is the folded text with ``past`` blanked by spaces: its literals are the
                # folded text's minus those in the blanked spans (checked, not assumed: a cheap compare).
                index = self._folded_literals().blanked(self.past)
            else:
                index = self.lang.prefilter.index(self.cues)
            self.cue_literals = (self.cues, index)
        return self.cue_literals[1]

    def _folded_literals(self) -> LiteralIndex:
        if self.folded_literals is None:
            self.folded_literals = self.lang.prefilter.index(self.folded)
        return self.folded_literals
