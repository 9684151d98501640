"""One Document per item: the text as written, its fold with the offset maps, sentences, mentions.

Every consumer (matcher, rumour reader, provisional detector, source attribution, routing) reads the
same Document instead of folding and splitting the text again. Reading is bounded: only the first
``MAX_ANALYSED_CHARS`` characters of an item are analysed (a feed may carry a 5 MB description; the
news is in its first paragraphs), so every stage is linear in at most that many characters.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.language.detect import choose_language, detect_language
from bot.language.fold import Folded, fold
from bot.language.sentences import split_sentences
from bot.models import Mention

__all__ = ["MAX_ANALYSED_CHARS", "MAX_TITLE_CHARS", "Document", "detect_language"]

MAX_ANALYSED_CHARS = 20_000  # of an item's summary: beyond this, text is not read
MAX_TITLE_CHARS = 1_000


@dataclass(slots=True, eq=False)
class Document:
    """An item's text, read once.

    ``text`` is ``title + "\\n\\n" + summary`` (as the matcher has always matched it), cut to the analysis
    bound; ``title_end`` is where the title ends. Offsets in ``mentions`` are into ``text``; folded
    offsets map back and forth through ``folded``. ``language`` is the one the item is read in: the
    declared one (a feed's metadata) when the seeds read it, else a guess from the text
    (``bot.language.detect``); ``seeds`` is the seeds folder whose wordings read it (None: the bundled).
    """

    text: str
    title_end: int
    language: str
    folded: Folded
    mentions: tuple[Mention, ...] = ()
    seeds: Path | None = None
    # bot.sources' index of the sources it names (built once); Any: mypyc cannot compile an `object` field
    citations: Any = field(default=None, repr=False)
    _sentences: list[tuple[int, int]] | None = field(default=None, repr=False)
    _sentence_starts: list[int] | None = field(default=None, repr=False)

    @classmethod
    def of_item(
        cls, title: str, summary: str, *, language: str | None = None, seeds: Path | None = None
    ) -> Document:
        """The Document of a feed item (title and summary cut to their bounds).

        ``language``: what the feed declares ("it", "it-IT"; None or "auto": guess from the text).
        """
        title = _cut(title, MAX_TITLE_CHARS)
        summary = _cut(summary, MAX_ANALYSED_CHARS)
        text = f"{title}\n\n{summary}" if summary else title
        return cls._make(text, len(title), language, seeds)

    @classmethod
    def of_text(cls, text: str, *, language: str | None = None, seeds: Path | None = None) -> Document:
        """The Document of a text whose title (if any) ends at its first blank line."""
        text = _cut(text, MAX_TITLE_CHARS + MAX_ANALYSED_CHARS + 2)
        title_end = text.find("\n\n")
        return cls._make(text, title_end if title_end != -1 else len(text), language, seeds)

    @classmethod
    def _make(cls, text: str, title_end: int, language: str | None, seeds: Path | None) -> Document:
        folded = fold(text)
        chosen = choose_language(language, seeds) or detect_language(text, seeds)
        return cls(text, title_end, chosen, folded, seeds=seeds)

    # ------------------------------------------------------------------ offsets
    @property
    def folded_text(self) -> str:
        """The folded text (ASCII, lower case)."""
        return self.folded.text

    def to_folded(self, index: int) -> int:
        """Original offset → folded offset."""
        return self.folded.to_folded[index]

    def to_original(self, index: int) -> int:
        """Folded offset → original offset."""
        return self.folded.to_original[index]

    def original(self, start: int, end: int) -> str:
        """The original text of a folded span."""
        return self.text[self.folded.to_original[start] : self.folded.to_original[end]]

    def fspan(self, mention: Mention) -> tuple[int, int]:
        """A mention's span in folded offsets."""
        return self.folded.to_folded[mention.start], self.folded.to_folded[mention.end]

    # ------------------------------------------------------------------ sentences
    @property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans in original offsets (the title is its own sentence)."""
        if self._sentences is None:
            self._sentences = split_sentences(self.text)
        return self._sentences

    def sentence_of(self, offset: int) -> int:
        """The number of the sentence an original offset falls in (or follows)."""
        if self._sentence_starts is None:
            self._sentence_starts = [start for start, _end in self.sentences]
        return bisect_right(self._sentence_starts, offset) - 1

    def sentence_span(self, offset: int) -> tuple[int, int]:
        """The span of the sentence around an original offset (between sentences: the gap's neighbours)."""
        index = self.sentence_of(offset)
        if index < 0:
            return 0, self.sentences[0][1] if self.sentences else len(self.text)
        return self.sentences[index]


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space when one is near the end."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", limit - 200, limit)
    return text[: space if space > 0 else limit]
