"""A language pack: the wordings and vocabulary of one language, with the reader's patterns compiled once.

``language_pack("it")`` loads ``seeds/wordings/it/`` and ``seeds/vocabulary/it/``; adding a language is
adding those two folders. Packs are kept per (seeds folder, language) for the life of the process.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import bot
from bot.errors import ConfigError
from bot.language.prefilter import Prefilter
from bot.language.vocabulary import Money, Vocabulary, load_vocabulary, words_regex
from bot.language.wordings import CueSet, Wordings, load_wordings
from bot.models import Deal, Stage

__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_SEEDS",
    "LanguagePack",
    "available_languages",
    "language_pack",
    "load_languages",
    "pack_for",
]


def _default_seeds() -> Path:
    """MERCATO_SEEDS when set (an installed package has no seeds/ beside it: the Docker image sets it), else
    the checkout's seeds/. From the package, not this file: a compiled module's __file__ is where mypyc put it."""
    configured = os.environ.get("MERCATO_SEEDS", "").strip()
    return Path(configured) if configured else Path(bot.__file__).resolve().parent.parent / "seeds"


DEFAULT_SEEDS = _default_seeds()
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
    of_gap: re.Pattern[str] = re.compile("(?!)")
    bare_from: re.Pattern[str] = re.compile("(?!)")
    with_end: re.Pattern[str] = re.compile("(?!)")
    fee: re.Pattern[str] | None = None  # the language's own fee words ("25 milioni di euro"), if any
    fee_wages: re.Pattern[str] | None = None  # words after an amount that make it a wage ("a stagione")
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
    # Descriptions are word order, which differs by language ("the Romanian defender", "il difensore
    # rumeno"): each language's are wordings (category "description") with named groups dem/dem2/role.
    pack.description = wordings.cues("description", "player").pattern
    pack.after_club_role = wordings.cues("description", "after-club").pattern
    pack.pronoun = re.compile(rf"\b(?:{words_regex(vocabulary.pronouns)})\b")
    pack.relative_after = re.compile(rf"\s*,\s*(?:{words_regex(vocabulary.relatives)})\b")
    companion = wordings.cues("companion", "before")
    conjunctions = "|".join(re.escape(c) for c in vocabulary.conjunctions) or "(?!)"
    pack.companion_list = re.compile(
        rf"{companion.prefix}(?:{companion.alternation})\s+(?P<names>(?:[\w'-]+\s+){{1,3}})(?:{conjunctions}){companion.suffix}"
    )
    particles = "|".join(re.escape(p) for p in vocabulary.name_particles) or "(?!)"
    pack.capitalised_name = re.compile(rf"[A-Z][\w'’-]+(?:\s+(?:(?:{particles})\s+)?[A-Z][\w'’-]+)+")
    _build_grammar(pack, vocabulary)
    pack.prefilter = Prefilter(
        [
            *(cues.pattern for (category, _v), cues in wordings.sets.items() if category != "description"),
            pack.companion_list, pack.description, pack.after_club_role,
        ]
    )
    wordings.with_prefilter(pack.prefilter.bit, pack.prefilter.check)
    pack.stages = tuple((stage, wordings.cues("stage", stage.value)) for stage, _cues in pack.stages)
    pack.deals = tuple((deal, wordings.cues("deal", deal.value)) for deal, _cues in pack.deals)
    return pack


def _build_grammar(pack: LanguagePack, vocabulary: Vocabulary) -> None:
    """The small patterns of the reader's grammar that are words of the language (vocabulary grammar.toml)."""
    article = "|".join(
        re.escape(a) + ("" if a.endswith("'") else r"\s+") for a in sorted(vocabulary.articles, key=len, reverse=True)
    )
    articles = f"(?:{article})?" if article else ""
    # "Aké of Manchester City", "Comuzzo della Fiorentina", "Aké (Manchester City)": his club.
    pack.of_gap = re.compile(rf"\s*(?:(?:,\s*)?(?:{words_regex(vocabulary.of_words)})|\()\s*{articles}")
    pack.bare_from = re.compile(rf"(?:{words_regex(vocabulary.bare_from)})\s+(?:\w+\s+)?")
    pack.with_end = re.compile(rf"\b(?:{words_regex(vocabulary.with_words)})$")
    pack.fee = _fee_pattern(vocabulary.money)
    wages = vocabulary.money.wages_after
    pack.fee_wages = re.compile(rf"\s*(?:{words_regex(wages)})\b", re.IGNORECASE) if wages else None


def _fee_pattern(money: Money) -> re.Pattern[str] | None:
    """The language's own way of writing a fee ("25 milioni di euro", "20 mln"), or None."""
    units = [*money.millions, *money.billions, *money.thousands]
    if not units and not money.undisclosed:
        return None
    words = [w for ws in money.currencies.values() for w in ws]
    # "25 milioni di euro", "25 millones de euros", "25 Millionen Euro": a short joining word at most.
    currency = rf"(?:\s+(?:\w{{1,3}}\s+|\w{{1,2}}')?(?P<cur>{words_regex(words)})\b)?" if words else ""
    amount = (
        rf"(?:(?P<sym>[€£$])\s?)?(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>{words_regex(units)})\b{currency}"
        if units else "(?!)"
    )
    return re.compile(rf"{amount}|(?P<undisclosed>\b(?:{words_regex(money.undisclosed)})\b)", re.IGNORECASE)


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


def load_languages(seeds_dir: Path | None = None) -> list[str]:
    """Load every language of the seeds now (at start-up), so that a broken file of any language stops
    the bot with its problems listed (ConfigError) instead of failing the first item in that language."""
    problems: list[str] = []
    languages = available_languages(seeds_dir)
    for language in languages:
        try:
            language_pack(language, seeds_dir)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return languages


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
