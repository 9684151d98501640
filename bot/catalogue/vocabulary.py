"""What a sentence is about: the words that tell women's from men's football and football from other sports.

Loaded from ``seeds/sports.toml`` (see the comments there). The matcher uses it through
``bot.catalogue.context``: a sentence about rugby or cricket names no football club, and in a sentence
about women's football "Chelsea" is Chelsea Women.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.catalogue.normalize import norm

_SECTIONS = {"women", "men", "football", "other", "sport"}
_LISTS = {"women": ("words",), "men": ("words",), "football": ("words", "venues")}
_SPORT_KEYS = {"name", "words", "clubs", "athletes", "shared"}


@dataclass(frozen=True, slots=True)
class OtherSport:
    """One other sport: its words, its clubs' names, athletes whose names footballers share, and the
    football clubs' names its clubs use too ("Real Madrid" in basketball)."""

    name: str
    words: tuple[str, ...] = ()
    clubs: tuple[str, ...] = ()
    athletes: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SportVocabulary:
    """Everything ``seeds/sports.toml`` defines; empty by default (no context: every name is football, men's)."""

    women: tuple[str, ...] = ()
    men: tuple[str, ...] = ()
    football: tuple[str, ...] = ()
    venues: tuple[str, ...] = ()
    score_min: int = 0  # 0: scores are not evidence; else a score with a side this large is another sport's
    sports: tuple[OtherSport, ...] = field(default_factory=tuple)

    def is_empty(self) -> bool:
        return not (self.women or self.men or self.football or self.sports)


def load_vocabulary(path: Path, problems: list[str]) -> SportVocabulary:
    """Read ``path`` (a missing file is an empty vocabulary); append every problem found to ``problems``."""
    if not path.exists():
        return SportVocabulary()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{path.name}: cannot read ({exc})")
        return SportVocabulary()
    name = path.name
    for key in sorted(set(data) - _SECTIONS):
        problems.append(f"{name}: unknown section [{key}] (expected one of {', '.join(sorted(_SECTIONS))})")
    lists: dict[str, tuple[str, ...]] = {}
    for section, keys in _LISTS.items():
        table = _table(data.get(section), f"{name} [{section}]", problems)
        for key in sorted(set(table) - set(keys)):
            problems.append(f"{name} [{section}]: unknown key {key!r}")
        for key in keys:
            lists[f"{section}.{key}"] = _words(table.get(key), f"{name} [{section}] {key}", problems)
    other = _table(data.get("other"), f"{name} [other]", problems)
    score_min = other.get("score_min", 0)
    if not isinstance(score_min, int) or isinstance(score_min, bool) or score_min < 0:
        problems.append(f"{name} [other] score_min: expected a whole number >= 0, got {score_min!r}")
        score_min = 0
    for key in sorted(set(other) - {"score_min"}):
        problems.append(f"{name} [other]: unknown key {key!r}")
    sports = _sports(data.get("sport", []), name, problems)
    _report_overlaps(lists, sports, name, problems)
    return SportVocabulary(
        women=lists["women.words"],
        men=lists["men.words"],
        football=lists["football.words"],
        venues=lists["football.venues"],
        score_min=score_min,
        sports=sports,
    )


def _table(value: Any, where: str, problems: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    problems.append(f"{where}: expected a table, got {value!r}")
    return {}


def _words(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    """A list of names or words, each at least two characters once folded, none repeated."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of strings, got {value!r}")
        return ()
    out: dict[str, str] = {}
    for index, item in enumerate(value, 1):
        if not isinstance(item, str) or len(norm(item)) < 2:
            problems.append(f"{where} #{index}: expected a word or name of two characters or more, got {item!r}")
        elif norm(item) in out:
            problems.append(f"{where} #{index}: {item!r} is listed twice")
        else:
            out[norm(item)] = item.strip()
    return tuple(out.values())


def _sports(value: Any, name: str, problems: list[str]) -> tuple[OtherSport, ...]:
    if not isinstance(value, list):
        problems.append(f"{name} [[sport]]: expected an array of tables")
        return ()
    sports: list[OtherSport] = []
    for index, raw in enumerate(value, 1):
        sport = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(sport, str) or not sport.strip():
            problems.append(f"{name} [[sport]] #{index}: missing name")
            continue
        where = f"{name} [[sport]] {sport!r}"
        for key in sorted(set(raw) - _SPORT_KEYS):
            problems.append(f"{where}: unknown key {key!r}")
        if any(s.name == sport for s in sports):
            problems.append(f"{where}: listed twice")
            continue
        lists = {
            key: _words(raw.get(key), f"{where} {key}", problems) for key in ("words", "clubs", "athletes", "shared")
        }
        sports.append(OtherSport(sport, lists["words"], lists["clubs"], lists["athletes"], lists["shared"]))
    return tuple(sports)


def _report_overlaps(lists: dict[str, tuple[str, ...]], sports: tuple[OtherSport, ...], name: str,
                     problems: list[str]) -> None:
    """A word cannot say two opposite things: women's and men's, or football and another sport."""
    def folded(words: tuple[str, ...]) -> set[str]:
        return {norm(w) for w in words}

    for word in sorted(folded(lists["women.words"]) & folded(lists["men.words"])):
        problems.append(f"{name}: {word!r} is both a women's and a men's word")
    football = folded(lists["football.words"])
    for sport in sports:
        for key in ("words", "clubs", "athletes"):
            for word in sorted(folded(getattr(sport, key)) & football):
                problems.append(f"{name} [[sport]] {sport.name!r} {key}: {word!r} is also a football word")
