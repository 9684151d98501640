"""Shared vocabulary, per language: nationalities, roles, small word classes, calendar, citing verbs.

Loaded from ``seeds/vocabulary/<language>/*.toml`` and used by every consumer (the rumour reader's
descriptions, the provisional-player detector, …), so that "the Gabonese striker" is understood
wherever a nationality is read. Every problem in the files is reported at once (file and key).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.language.fold import fold_text

__all__ = ["Money", "Nationality", "Vocabulary", "load_vocabulary", "words_regex"]

POSITION_CODES = ("FW", "MF", "DF", "GK")


@dataclass(frozen=True, slots=True)
class Nationality:
    """A country as the seeds spell it (``names[0]``), its other spellings, and its demonyms."""

    names: tuple[str, ...]
    demonyms: tuple[str, ...]

    @property
    def country(self) -> str:
        """The seeds' spelling of the country."""
        return self.names[0]


@dataclass(frozen=True, slots=True)
class Money:
    """How one language writes amounts ("25 milioni di euro", "20 mln"), for reading transfer fees.

    Symbol forms ("€25m", "£40million") and English words are read in every language (``cues.fees``);
    these are the language's own words on top.
    """

    millions: tuple[str, ...] = ()
    billions: tuple[str, ...] = ()
    thousands: tuple[str, ...] = ()
    currencies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # symbol → the words for it
    default_currency: str = ""  # the symbol of an amount written without a currency ("25 milioni")
    undisclosed: tuple[str, ...] = ()  # "cifra non divulgata"
    wages_after: tuple[str, ...] = ()  # words after an amount that make it a wage ("a stagione")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The closed word lists of one language."""

    language: str
    nationalities: tuple[Nationality, ...] = ()
    positions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    young: tuple[str, ...] = ()
    other_roles: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    pronouns: tuple[str, ...] = ()
    relatives: tuple[str, ...] = ()
    name_particles: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    verbs_after_name: tuple[str, ...] = ()
    not_after_demonym: tuple[str, ...] = ()
    function_words: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    conjunctions: tuple[str, ...] = ()
    of_words: tuple[str, ...] = ()
    bare_from: tuple[str, ...] = ()
    with_words: tuple[str, ...] = ()
    short_names: dict[str, str] = field(default_factory=dict)  # folded short name → the one club it names
    money: Money = field(default_factory=Money)

    def demonym_countries(self) -> dict[str, tuple[str, ...]]:
        """Folded demonym → the folded spellings of its country."""
        table: dict[str, tuple[str, ...]] = {}
        for nationality in self.nationalities:
            names = tuple(fold_text(name) for name in nationality.names)
            for demonym in nationality.demonyms:
                table.setdefault(fold_text(demonym), names)
        return table

    def country_names(self) -> dict[str, tuple[str, ...]]:
        """Folded country spelling → the folded spellings of that country ("the Romania international")."""
        return {
            fold_text(name): tuple(fold_text(n) for n in nationality.names)
            for nationality in self.nationalities
            for name in nationality.names
        }

    def country_of_demonym(self) -> dict[str, str]:
        """Demonym as written ("Gabonese") → the seeds' country name ("Gabon")."""
        return {demonym: n.country for n in self.nationalities for demonym in n.demonyms}

    def position_words(self) -> dict[str, str | None]:
        """Every position word (and young-player word, code None) → its position code."""
        words: dict[str, str | None] = {w: code for code, ws in self.positions.items() for w in ws}
        words.update((w, None) for w in self.young if w not in words)
        return words

    def role_words(self) -> tuple[str, ...]:
        """Every word that can stand for a footballer in a description."""
        return tuple(dict.fromkeys([*self.position_words(), *self.other_roles]))


def words_regex(words: tuple[str, ...] | list[str]) -> str:
    """An alternation of folded ``words``, longest first; a space in a word matches any whitespace."""
    folded = sorted({fold_text(w) for w in words if w.strip()}, key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in folded) or "(?!)"


_SCHEMA: dict[str, dict[str, str]] = {
    # file → key → kind ("words": list of strings, "positions": table of lists, "nationality": array of tables)
    "nationalities.toml": {"nationality": "nationality"},
    "roles.toml": {"positions": "positions", "young": "words", "other": "words", "descriptors": "words"},
    "grammar.toml": {
        "pronouns": "words",
        "relatives": "words",
        "name_particles": "words",
        "not_after_demonym": "words",
        "function_words": "words",
        "articles": "words",
        "conjunctions": "words",
        "of_words": "words",
        "bare_from": "words",
        "with_words": "words",
    },
    "money.toml": {
        "millions": "words",
        "billions": "words",
        "thousands": "words",
        "currencies": "currencies",
        "default_currency": "word",
        "undisclosed": "words",
        "wages_after": "words",
    },
    "calendar.toml": {"months": "words", "days": "words"},
    "press.toml": {"short_names": "names"},
    "citing.toml": {"verbs_after_name": "words"},
}
_FIELD = {"other": "other_roles", "nationality": "nationalities"}


def load_vocabulary(directory: Path, language: str) -> Vocabulary:
    """Load ``directory/<language>/*.toml``; raise ConfigError listing every problem."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    money: dict[str, Any] = {}
    folder = directory / language
    if not folder.is_dir():
        raise ConfigError([f"{folder}: no vocabulary for language {language!r}"])
    for path in sorted(folder.glob("*.toml")):
        schema = _SCHEMA.get(path.name)
        if schema is None:
            problems.append(f"{path}: unknown vocabulary file (expected one of {', '.join(sorted(_SCHEMA))})")
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{path}: invalid TOML: {exc}")
            continue
        for key, value in data.items():
            kind = schema.get(key)
            if kind is None:
                problems.append(f"{path}: unknown key {key!r}")
                continue
            parsed = _parse(kind, value, f"{path}: {key}", problems)
            if parsed is not None:
                (money if path.name == "money.toml" else values)[_FIELD.get(key, key)] = parsed
    if problems:
        raise ConfigError(problems)
    return Vocabulary(language=language, money=Money(**money), **values)


def _parse(kind: str, value: object, where: str, problems: list[str]) -> Any:
    if kind == "words":
        return _words(value, where, problems)
    if kind == "word":
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: must be a non-empty string")
            return None
        return value.strip()
    if kind == "names":
        if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
            problems.append(f"{where}: must be a table of short name → club name")
            return None
        return {" ".join(fold_text(str(short)).split()): str(name) for short, name in value.items()}
    if kind == "currencies":
        if not isinstance(value, dict):
            problems.append(f"{where}: must be a table of currency symbol → words")
            return None
        return {str(symbol): _words(words, f"{where}.{symbol}", problems) for symbol, words in value.items()}
    if kind == "positions":
        if not isinstance(value, dict):
            problems.append(f"{where}: must be a table of position code → words")
            return None
        bad = sorted(set(value) - set(POSITION_CODES))
        if bad:
            problems.append(f"{where}: unknown position codes {bad} (use {', '.join(POSITION_CODES)})")
        return {code: _words(words, f"{where}.{code}", problems) for code, words in value.items()}
    return _nationalities(value, where, problems)


def _words(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: must be a list of non-empty strings")
        return ()
    return tuple(value)


def _nationalities(value: object, where: str, problems: list[str]) -> tuple[Nationality, ...]:
    if not isinstance(value, list):
        problems.append(f"{where}: must be an array of tables [[nationality]]")
        return ()
    found: list[Nationality] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(value, 1):
        at = f"{where} #{index}"
        if not isinstance(entry, dict) or set(entry) - {"names", "demonyms"}:
            problems.append(f"{at}: must have only names and demonyms")
            continue
        names = _words(entry.get("names"), f"{at}: names", problems)
        demonyms = _words(entry.get("demonyms", []), f"{at}: demonyms", problems)
        if not names:
            continue
        for demonym in demonyms:
            other = seen.setdefault(fold_text(demonym), names[0])
            if other != names[0]:
                problems.append(f"{at}: demonym {demonym!r} already belongs to {other}")
        found.append(Nationality(names, demonyms))
    return tuple(found)
