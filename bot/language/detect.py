"""Which language an item is in: the feed's word for it when the seeds read that language, else a guess.

A feed usually says its language (RSS ``<language>``, ``dc:language``, Atom ``xml:lang``); the code
("it-IT", "en_us", "IT") is cut to its primary subtag and used when the seeds hold wordings and
vocabulary for it. Otherwise the language is guessed from the text, cheaply: the frequent short words
of each language (``function_words`` in ``seeds/vocabulary/<lang>/grammar.toml``), written in lower
case, are counted in the first ``DETECT_WINDOW`` characters, and a language other than the default
wins only when it has at least ``MIN_HITS`` of them and more than twice the default language's count
(or, in a short item, ``MIN_HITS - 1`` and none of the default's). With one language in the seeds
nothing is counted. Adding a language's function words is all it takes for it to be detected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.language.fold import fold_cased, fold_text
from bot.language.pack import DEFAULT_LANGUAGE, DEFAULT_SEEDS, available_languages
from bot.language.vocabulary import load_vocabulary

__all__ = ["DETECT_WINDOW", "MIN_HITS", "choose_language", "detect_language", "primary_subtag"]

DETECT_WINDOW = 500  # characters looked at: the title and first sentences
MIN_HITS = 3  # function words a non-default language needs at least
_SUBTAG = re.compile(r"[a-z]{2,3}")
_LETTERS_ONLY = bytes(code if 97 <= code <= 122 or 65 <= code <= 90 else 32 for code in range(256))


@dataclass(frozen=True, slots=True)
class _Detector:
    """The languages of one seeds folder and, for guessing, which languages each function word belongs to."""

    languages: frozenset[str]
    owners: dict[str, tuple[str, ...]]

    def guess(self, text: str) -> str:
        if len(self.languages) < 2:
            return DEFAULT_LANGUAGE
        counts = dict.fromkeys(self.languages, 0)
        owners = self.owners
        # Blank everything but letters (one C-level table pass), split, and look each word up: several
        # times faster than a regex over the text. Capitalised words are names ("Di Lorenzo", "La Liga")
        # or sentence starts: only lower-case words count.
        sample = fold_cased(text[:DETECT_WINDOW]).encode("ascii", "replace").translate(_LETTERS_ONLY).decode("ascii")
        for word in sample.split():
            if word.islower():
                for language in owners.get(word, ()):
                    counts[language] += 1
        default = counts.get(DEFAULT_LANGUAGE, 0)
        best = max(sorted(self.languages - {DEFAULT_LANGUAGE}), key=lambda lang: counts[lang])
        hits = counts[best]
        # A short item (a title, a tweet) has few function words: two, and none of the default's, will do.
        if (hits >= MIN_HITS and hits > 2 * default) or (hits >= MIN_HITS - 1 and default == 0):
            return best
        return DEFAULT_LANGUAGE


_DETECTORS: dict[Path, _Detector] = {}
_DEFAULT: list[_Detector] = []


def _detector(seeds_dir: Path | None) -> _Detector:
    if seeds_dir is None:  # the bundled seeds: skip resolving the path (a system call) on every item
        if not _DEFAULT:
            _DEFAULT.append(_detector(DEFAULT_SEEDS))
        return _DEFAULT[0]
    seeds = seeds_dir.resolve()
    found = _DETECTORS.get(seeds)
    if found is None:
        languages = frozenset(available_languages(seeds))
        owners: dict[str, list[str]] = {}
        if len(languages) > 1:
            for language in sorted(languages):
                for word in load_vocabulary(seeds / "vocabulary", language).function_words:
                    owners.setdefault(fold_text(word).strip(), []).append(language)
        found = _DETECTORS[seeds] = _Detector(languages, {w: tuple(langs) for w, langs in owners.items()})
    return found


def primary_subtag(code: str | None) -> str | None:
    """"it-IT", "en_us", " IT " → "it", "en", "it"; None for a missing or unreadable code."""
    if not code:
        return None
    head = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return head if _SUBTAG.fullmatch(head) else None


def choose_language(declared: str | None, seeds_dir: Path | None = None) -> str | None:
    """The declared language when the seeds read it (as its primary subtag), else None ("guess")."""
    language = primary_subtag(declared)
    return language if language is not None and language in _detector(seeds_dir).languages else None


def detect_language(text: str, seeds_dir: Path | None = None) -> str:
    """A cheap guess at the language of a text (as written, or folded) among the seeds' languages.

    The default language when unsure.
    """
    return _detector(seeds_dir).guess(text)
