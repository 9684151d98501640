"""A language pack: the wordings and vocabulary of one language, with the reader's patterns compiled once.

``language_pack("it")`` loads ``seeds/wordings/it/`` and ``seeds/vocabulary/it/``; adding a language is
adding those two folders. Packs are kept per (seeds folder, language) for the life of the process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.language.prefilter import Prefilter
from bot.language.vocabulary import Vocabulary, load_vocabulary, words_regex
from bot.language.wordings import CueSet, Wordings, load_wordings
from bot.models import Deal, Stage

__all__ = ["DEFAULT_LANGUAGE", "DEFAULT_SEEDS", "LanguagePack", "available_languages", "language_pack", "pack_for"]

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"
DEFAULT_LANGUAGE = "en"


@dataclass(slots=True)
class LanguagePack:
    """Everything the reader needs to read one language."""

    language: str
    vocabulary: Vocabulary
    wordings: Wordings
    stages: tuple[tuple[Stage, CueSet], ...] = ()
    deals: tuple[tuple[Deal, CueSet], ...] = ()
    demonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    nations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: re.Pattern[str] = re.compile("(?!)")
    after_club_role: re.Pattern[str] = re.compile("(?!)")
    pronoun: re.Pattern[str] = re.compile("(?!)")
    relative_after: re.Pattern[str] = re.compile("(?!)")
    companion_list: re.Pattern[str] = re.compile("(?!)")
    capitalised_name: re.Pattern[str] = re.compile("(?!)")
    prefilter: Prefilter = field(default_factory=lambda: Prefilter(()))
    _cues: dict[tuple[str, str | None], CueSet] = field(default_factory=dict, repr=False)

    def cues(self, category: str, value: str | None = None) -> CueSet:
        """The cue set of a category (and value)."""
        found = self._cues.get((category, value))
        if found is None:
            found = self._cues[(category, value)] = self.wordings.cues(category, value)
        return found

    def search(self, cues: CueSet | re.Pattern[str], text: str) -> re.Match[str] | None:
        """``pattern.search(text)``, skipped when the prefilter says it cannot match."""
        if isinstance(cues, CueSet):
            pattern, bit, check = cues.pattern, cues.bit, cues.check
        else:
            pattern, bit, check = cues, self.prefilter.bit(cues), self.prefilter.check(cues)
        if bit:
            if not self.prefilter.contains(text, bit):
                return None
        elif check is not None and check.search(text) is None:
            return None
        return pattern.search(text)

    def may_match(self, cues: CueSet | re.Pattern[str], present: int) -> bool:
        """False when the prefilter answer ``present`` (a mask) rules the pattern out."""
        bit = cues.bit if isinstance(cues, CueSet) else self.prefilter.bit(cues)
        return not bit or bool(bit & present)


def _build(language: str, vocabulary: Vocabulary, wordings: Wordings) -> LanguagePack:
    pack = LanguagePack(language, vocabulary, wordings)
    pack.stages = tuple((Stage(v), wordings.cues("stage", v)) for v in _ordered(wordings, "stage", Stage))
    pack.deals = tuple((Deal(v), wordings.cues("deal", v)) for v in _ordered(wordings, "deal", Deal))
    pack.demonyms = vocabulary.demonym_countries()
    pack.nations = pack.demonyms | {k: v for k, v in vocabulary.country_names().items() if k not in pack.demonyms}
    roles = words_regex(vocabulary.role_words())
    nation = words_regex(list(pack.nations))
    demonym = words_regex(list(pack.demonyms))
    descriptors = words_regex(vocabulary.descriptors)
    not_after = words_regex(vocabulary.not_after_demonym)
    pack.description = re.compile(
        rf"\bthe\s+(?:(?:\d{{1,2}})-year-old\s+)?(?:(?P<dem>{nation})\s+)?(?:(?:{descriptors})\s+)?"
        rf"(?P<role>{roles})s?\b(?!-)"
        rf"|\bthe\s+\d{{1,2}}-year-old\b"
        rf"|\bthe\s+(?P<dem2>{demonym})\b(?!\s+(?:{not_after})\b)"
    )
    pack.after_club_role = re.compile(
        rf"(?:'s?)?\s+(?:\d{{1,2}}-year-old\s+)?(?:(?P<dem>{nation})\s+)?"
        rf"(?:(?:{descriptors})\s+)?(?P<role>{roles})\b(?!-)"
    )
    pack.pronoun = re.compile(rf"\b(?:{words_regex(vocabulary.pronouns)})\b")
    pack.relative_after = re.compile(rf"\s*,\s*(?:{words_regex(vocabulary.relatives)})\b")
    companion = wordings.cues("companion", "before")
    pack.companion_list = re.compile(
        rf"{companion.prefix}(?:{companion.alternation})\s+(?P<names>(?:[\w'-]+\s+){{1,3}})(?:and|or|&){companion.suffix}"
    )
    particles = "|".join(re.escape(p) for p in vocabulary.name_particles) or "(?!)"
    pack.capitalised_name = re.compile(rf"[A-Z][\w'’-]+(?:\s+(?:(?:{particles})\s+)?[A-Z][\w'’-]+)+")
    pack.prefilter = Prefilter(
        [
            *(cues.pattern for cues in wordings.sets.values()),
            pack.companion_list, pack.description, pack.after_club_role,
        ]
    )
    wordings.with_prefilter(pack.prefilter.bit, pack.prefilter.check)
    pack.stages = tuple((stage, wordings.cues("stage", stage.value)) for stage, _cues in pack.stages)
    pack.deals = tuple((deal, wordings.cues("deal", deal.value)) for deal, _cues in pack.deals)
    return pack


def _ordered(wordings: Wordings, category: str, enum: type[Stage] | type[Deal]) -> list[str]:
    """The category's values in the order the reader weighs them (stage progression, deal specificity)."""
    present = set(wordings.values(category))
    order = [d.value for d in _DEAL_ORDER] if enum is Deal else [s.value for s in Stage]
    return [value for value in order if value in present]


# Most specific first: a less specific cue inside a more specific one is dropped ("loan" inside
# "loan with an option to buy").
_DEAL_ORDER = (
    Deal.LOAN_OBLIGATION,
    Deal.LOAN_OPTION,
    Deal.PRE_CONTRACT,
    Deal.FREE,
    Deal.SWAP,
    Deal.EXTENSION,
    Deal.PERMANENT,
    Deal.LOAN,
)

_PACKS: dict[tuple[Path, str], LanguagePack] = {}


def language_pack(language: str = DEFAULT_LANGUAGE, seeds_dir: Path | None = None) -> LanguagePack:
    """The pack of ``language`` (loaded once per process); raises ConfigError when its files are invalid."""
    seeds = (seeds_dir or DEFAULT_SEEDS).resolve()
    key = (seeds, language)
    pack = _PACKS.get(key)
    if pack is None:
        vocabulary = load_vocabulary(seeds / "vocabulary", language)
        pack = _PACKS[key] = _build(language, vocabulary, load_wordings(seeds / "wordings", language, vocabulary))
    return pack


def available_languages(seeds_dir: Path | None = None) -> list[str]:
    """The languages that have both wordings and vocabulary."""
    seeds = seeds_dir or DEFAULT_SEEDS
    folder = seeds / "wordings"
    wordings = {p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set()
    return sorted(p.name for p in (seeds / "vocabulary").iterdir() if p.is_dir() and p.name in wordings)


_AVAILABLE: dict[Path, frozenset[str]] = {}


_DEFAULT_RESOLVED = DEFAULT_SEEDS.resolve()
_BY_LANGUAGE: dict[str, LanguagePack] = {}


def pack_for(language: str, seeds_dir: Path | None = None) -> LanguagePack:
    """The pack of ``language``, or the default language's when the seeds have none for it."""
    if seeds_dir is None:
        pack = _BY_LANGUAGE.get(language)
        if pack is None:
            pack = _BY_LANGUAGE[language] = pack_for(language, _DEFAULT_RESOLVED)
        return pack
    seeds = seeds_dir.resolve()
    available = _AVAILABLE.get(seeds)
    if available is None:
        available = _AVAILABLE[seeds] = frozenset(available_languages(seeds))
    return language_pack(language if language in available else DEFAULT_LANGUAGE, seeds)
