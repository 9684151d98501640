"""The source a sentence (or claim) rests on, looked up in the Document only when a pair first needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.language.document import Document
from bot.models.sources import Source

if TYPE_CHECKING:  # bot.sources imports the language layer: importing it here would be a cycle
    from bot.sources import SourceDirectory

__all__ = ["LazySource"]


class LazySource:
    """The source a span of a Document cites, looked up only when a pair first needs it.

    Finding citations is the costliest step per sentence, and most sentences add no new pair: the
    lookup waits until one does, then is remembered. A sentence that cites nobody falls back on its
    claim's source.

    A sentence cites a source only with a cue next to its name, and that cue is still next to it in
    the claim the sentence belongs to. So when the claim cites at most one source, the sentence cites
    that one or nobody, and either way ends up with the claim's source: its own lookup is skipped.
    This holds when the sentence meets its neighbours at sentence punctuation (``clean``); a bare
    line break could sit inside a name ("Sky" / "Sports News").
    """

    __slots__ = ("_cited", "_doc", "_end", "_fallback", "_sources", "_start", "_value", "clean")

    def __init__(
        self, sources: SourceDirectory, doc: Document, start: int, end: int, fallback: LazySource | None, *,
        clean: bool = False,
    ) -> None:
        self._sources = sources
        self._doc = doc
        self._start, self._end = start, end
        self._fallback = fallback
        self._cited: list[Source] | None = None
        self._value: Source | bool | None = False  # False: not looked up yet
        self.clean = clean

    def cited(self) -> list[Source]:
        """Every source the span cites, in order (looked up once)."""
        if self._cited is None:
            self._cited = self._sources.cited_in(self._doc, self._start, self._end)
        return self._cited

    def get(self) -> Source | None:
        """The first source the span cites, else the fallback's."""
        if self._value is False:
            claim = self._fallback
            if claim is None:
                cited = self.cited()
                self._value = cited[0] if cited else None
            elif self.clean and len(claim.cited()) <= 1:
                self._value = claim.get()
            else:
                own = self.cited()
                self._value = own[0] if own else claim.get()
        return self._value if isinstance(self._value, Source) else None
