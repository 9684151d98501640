"""The language layer: one Document per item, and the rumour reader over it.

- ``fold``: the project's one fold (ASCII + lower case) with offset maps both ways;
- ``sentences``: the one sentence splitter; ``document``: the Document (text, fold, sentences,
  mentions, language) every consumer reads;
- ``vocabulary`` and ``wordings``: the data of ``seeds/vocabulary/<lang>/`` and
  ``seeds/wordings/<lang>/``, bundled per language by ``pack``;
- the reader, split by concern: ``cues``, ``clauses``, ``companions``, ``references``, ``roles``,
  ``lines`` (what a line is about, gossip shorthand), ``moves`` (moves read against each other),
  ``state``, ``citations``, ``reader`` (``extract_rumours``).

Imports models (and the source directory) only; never ``discord``.
"""

from bot.language.document import MAX_ANALYSED_CHARS, Document, detect_language
from bot.language.fold import Folded, fold, fold_cased, fold_text
from bot.language.reader import document_of, extract_rumours
from bot.language.sentences import split_sentences
from bot.models import Deal, Evidence, Rumour, Stage, highest_stage

__all__ = [
    "MAX_ANALYSED_CHARS",
    "Deal",
    "Document",
    "Evidence",
    "Folded",
    "Rumour",
    "Stage",
    "detect_language",
    "document_of",
    "extract_rumours",
    "fold",
    "fold_cased",
    "fold_text",
    "highest_stage",
    "split_sentences",
]
