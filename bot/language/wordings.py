"""Wordings as data: every phrase the reader reacts to is one entry of ``seeds/wordings/<language>/*.toml``.

An entry::

    [[wording]]
    id = "interest-keen"            # unique in the language; rumours cite it as evidence
    category = "stage"              # what it is evidence of (see CATEGORIES)
    value = "interest"              # which stage, deal type, club role …
    direction = "in-clause"         # where it sits: anywhere in the clause, right "before" or "after"
                                    # the entity, or "between" a player and a club
    pattern = '\bkeen\b'            # a readable pattern (below)
    examples = ["Roma are keen on {x}"]      # must fire it
    counter_examples = ["a keenly fought derby"]  # must not
    scope = "title"                 # optional: only in a headline

**Readable patterns** are regular expressions over folded text (ASCII, lower case) with two
conveniences: a space stands for any run of whitespace (write ``[ ]`` for exactly one space; inside a
look-behind a space is literal), and ``{roles}``, ``{nations}``, ``{demonyms}``, ``{pronouns}``,
``{descriptors}``, ``{not_after_demonym}``, ``{articles}`` expand to the language's vocabulary. In
examples, ``{x}`` (and ``{y}``) mark where the entity sits: a "before" wording must fire on the text
before ``{x}``, an "after" wording on the text after it, a "between" wording on the text between
``{x}`` and ``{y}``. See docs/language.md.

A ``[[frame]]`` gives the text around every entry of one category and value (for instance the
optional article after a "before" cue); the entries of a category and value are compiled into one
alternation, and :meth:`CueSet.wording` tells which entry a match came from.

Loading validates every file and reports every problem at once, with file and id.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bot.errors import ConfigError
from bot.language.prefilter import heads_of
from bot.language.vocabulary import Vocabulary, words_regex
from bot.models import Deal, Stage

__all__ = ["CATEGORIES", "CueSet", "Wording", "Wordings", "compile_readable", "load_wordings"]

Direction = Literal["before", "after", "in-clause", "between"]
DIRECTIONS: tuple[str, ...] = ("before", "after", "in-clause", "between")
_ANY: frozenset[str] = frozenset()  # any value allowed

# Every category the reader knows, with its allowed values (empty: free).
CATEGORIES: dict[str, frozenset[str]] = {
    "stage": frozenset(s.value for s in Stage if not s.is_negative),
    "headline": frozenset({"official"}),
    "scoop": frozenset({"here_we_go"}),
    "pending": frozenset({"pending", "after"}),
    "bid-reading": frozenset({"interest", "agreement", "agreement-after", "agreement-headline"}),
    "deal": frozenset(d.value for d in Deal),
    "deal-excluded": frozenset({"loan"}),
    "negation": frozenset({"denied", "collapsed", "rejected"}),
    "price-stance": frozenset({"price-stance"}),
    "move": frozenset({"move"}),
    "offer": frozenset({"offer"}),
    "to-link": frozenset({"to"}),
    "background": frozenset({"background"}),
    "club-role": frozenset(
        {"suitor-from", "suitor-after", "from", "seller", "parent", "not-suitor", "loan-host", "article", "former",
         "premises", "joining-from"}
    ),
    "companion": frozenset({"before", "after", "object", "event-before", "event-after"}),
    "clause-break": _ANY,
    "coordination": _ANY,
    "list-join": _ANY,
    "name-cue": _ANY,
    "unnamed": frozenset({"unnamed"}),
    "opposite": frozenset({"opposite"}),
    "club-voice": frozenset({"self"}),
    "suitor-list": frozenset({"lead", "separator", "club-separator", "join", "filler"}),
    "citation": frozenset(
        {"before", "before-weak", "weak-frame", "after", "club-before", "club-after", "club-generic"}
    ),
    # One wording per value, with named groups: ``role``, and ``dem`` / ``dem2`` for a nationality.
    "description": frozenset({"player", "after-club"}),
}
_WORDING_KEYS = {"id", "category", "value", "direction", "pattern", "examples", "counter_examples", "scope"}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Wording:
    """One phrase the reader reacts to, with the examples that pin down what it means."""

    id: str
    category: str
    value: str
    direction: str
    pattern: str
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    scope: str = "any"
    file: str = ""


@dataclass(frozen=True, slots=True)
class CueSet:
    """The wordings of one category and value, compiled into one alternation (framed)."""

    category: str
    value: str
    wordings: tuple[Wording, ...]
    pattern: re.Pattern[str]
    alternation: str  # the entries' joined source, without the frame (for patterns that embed it)
    prefix: str = ""
    suffix: str = ""
    single: dict[str, re.Pattern[str]] = field(default_factory=dict)  # wording id → its framed pattern
    # wording id → the literals its framed pattern starts with (None: unknown), worked out on first use
    heads: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    # The language pack's prefilter for ``pattern`` (see ``bot.language.prefilter``): its bit in literal
    # masks (0: not indexed), else a quick regex over its literals (None: always run the pattern).
    bit: int = 0
    check: re.Pattern[str] | None = None

    def wording(self, match: re.Match[str]) -> Wording:
        """The wording that produced ``match`` (a match of ``pattern``).

        The alternation takes the first entry that matches at the match's start, so that is the one:
        the entries are tried again only for a match, which is rare. (Named groups would say it at
        once, but they keep the regex engine from its literal optimisations: 30x slower.)
        """
        string, start, end = match.string, match.start(), match.endpos
        if not self.heads and self.wordings:  # worked out on first use
            sources = self.single.sources if isinstance(self.single, _Compiled) else {}
            self.heads.update((w.id, heads_of(sources[w.id]) if w.id in sources else None) for w in self.wordings)
        for wording in self.wordings:
            heads = self.heads.get(wording.id)
            if heads is not None and not string.startswith(heads, start, end):
                continue  # cannot match here: it starts with other letters
            if self.single[wording.id].match(string, start, end):
                return wording
        return self.wordings[0]  # pragma: no cover - the alternation matched, so one entry does


@dataclass(slots=True)
class Wordings:
    """Every wording of one language, by category and value."""

    language: str
    by_id: dict[str, Wording] = field(default_factory=dict)
    sets: dict[tuple[str, str], CueSet] = field(default_factory=dict)
    _resolved: dict[tuple[str, str | None], CueSet] = field(default_factory=dict, repr=False)

    def cues(self, category: str, value: str | None = None) -> CueSet:
        """The cue set of ``category`` (and ``value``; None when the category has one value)."""
        resolved = self._resolved.get((category, value))
        if resolved is not None:
            return resolved
        key = (category, value)
        if value is None:
            values = self.values(category)
            value = values[0] if len(values) == 1 else category
        found = self.sets.get((category, value))
        if found is None:
            found = CueSet(category, value, (), re.compile("(?!)"), "(?!)")
            self.sets[(category, value)] = found
        self._resolved[key] = found
        return found

    def with_prefilter(
        self, bit: Callable[[re.Pattern[str]], int], check: Callable[[re.Pattern[str]], re.Pattern[str] | None]
    ) -> None:
        """Give every cue set its prefilter answers (``bit``, ``check`` of its pattern)."""
        for key, cues in self.sets.items():
            self.sets[key] = replace(cues, bit=bit(cues.pattern), check=check(cues.pattern))
        self._resolved.clear()

    def values(self, category: str) -> list[str]:
        """The values of ``category`` that have wordings, in file order."""
        return [value for cat, value in self.sets if cat == category]

    def __iter__(self) -> Iterator[Wording]:
        return iter(self.by_id.values())


def compile_readable(pattern: str, vocabulary: Vocabulary) -> str:
    """Turn a readable pattern into a regular expression (see the module docstring)."""
    expanded = _PLACEHOLDER.sub(lambda m: "(?:" + _placeholder(m.group(1), vocabulary) + ")", pattern)
    return _spaces(expanded)


def _placeholder(name: str, vocabulary: Vocabulary) -> str:
    if name == "roles":
        return words_regex(vocabulary.role_words())
    if name == "demonyms":
        return words_regex(list(vocabulary.demonym_countries()))
    if name == "nations":
        return words_regex([*vocabulary.demonym_countries(), *vocabulary.country_names()])
    if name == "pronouns":
        return words_regex(vocabulary.pronouns)
    if name == "descriptors":
        return words_regex(vocabulary.descriptors)
    if name == "not_after_demonym":
        return words_regex(vocabulary.not_after_demonym)
    if name == "articles":
        return words_regex(vocabulary.articles)
    raise KeyError(name)


def _spaces(pattern: str) -> str:
    """Spaces → ``\\s+`` outside character classes and look-behinds."""
    out: list[str] = []
    stack: list[bool] = []  # per open group: is it a look-behind?
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            out.append(char)
            i += 1
            for literal in ("^", "]"):
                if pattern.startswith(literal, i):
                    out.append(literal)
                    i += 1
            continue
        elif char == "(":
            stack.append(pattern.startswith(("(?<!", "(?<="), i))
        elif char == ")" and stack:
            stack.pop()
        elif char == " " and not any(stack):
            while pattern.startswith(" ", i + 1):
                i += 1
            out.append(r"\s+")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def load_wordings(directory: Path, language: str, vocabulary: Vocabulary) -> Wordings:
    """Load ``directory/<language>/*.toml``; raise ConfigError listing every problem (file and id)."""
    folder = directory / language
    if not folder.is_dir():
        raise ConfigError([f"{folder}: no wordings for language {language!r}"])
    problems: list[str] = []
    wordings = Wordings(language)
    frames: dict[tuple[str, str], tuple[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{path}: invalid TOML: {exc}")
            continue
        for key in set(data) - {"wording", "frame"}:
            problems.append(f"{path}: unknown table {key!r} (use [[wording]] and [[frame]])")
        for raw in data.get("frame", []):
            _read_frame(raw, path, vocabulary, frames, problems)
        for index, raw in enumerate(data.get("wording", []), 1):
            wording = _read_wording(raw, f"{path}: wording #{index}", path.name, vocabulary, problems)
            if wording is None:
                continue
            if wording.id in wordings.by_id:
                problems.append(f"{path}: {wording.id}: id already used in {wordings.by_id[wording.id].file}")
                continue
            wordings.by_id[wording.id] = wording
    _compile_sets(wordings, frames, vocabulary, problems)  # the valid ones: their regex problems join the rest
    if problems:
        raise ConfigError(problems)
    return wordings


def _read_frame(
    raw: object, path: Path, vocabulary: Vocabulary, frames: dict[tuple[str, str], tuple[str, str]], problems: list[str]
) -> None:
    if not isinstance(raw, dict) or not {"category", "value"} <= set(raw) <= {"category", "value", "prefix", "suffix"}:
        problems.append(f"{path}: a [[frame]] needs category and value, and only prefix and suffix besides")
        return
    key = (str(raw["category"]), str(raw["value"]))
    where = f"{path}: frame {key[0]}/{key[1]}"
    if key in frames:
        problems.append(f"{where}: defined twice")
    for part in ("prefix", "suffix"):
        if not str(raw.get(part, "")).isascii():
            problems.append(f"{where}: {part} {_NOT_ASCII}: {_non_ascii(str(raw[part]))}")
    try:
        prefix = compile_readable(str(raw.get("prefix", "")), vocabulary)
        suffix = compile_readable(str(raw.get("suffix", "")), vocabulary)
        re.compile(prefix + "(?:x)" + suffix)
    except (re.error, KeyError) as exc:
        problems.append(f"{where}: invalid prefix or suffix: {exc}")
        return
    frames[key] = (prefix, suffix)


# Patterns read folded text ("–" is "-", "→" is ">", "£5m" is "gbp5m", "è" is "e"): anything else never matches.
_NOT_ASCII = "has characters the folded text never contains (write what they fold to, as in docs/language.md)"


def _non_ascii(text: str) -> str:
    return " ".join(dict.fromkeys(c for c in text if not c.isascii()))


def _read_wording(
    raw: object, where: str, file: str, vocabulary: Vocabulary, problems: list[str]
) -> Wording | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return None
    wid = raw.get("id")
    if not isinstance(wid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", wid):
        problems.append(f"{where}: id must be lower-case letters, digits and hyphens, got {wid!r}")
        return None
    at = f"{where.rsplit(':', 1)[0]}: {wid}"
    before = len(problems)
    problems.extend(f"{at}: unknown key {key!r}" for key in sorted(set(raw) - _WORDING_KEYS))
    category, value, direction = raw.get("category"), raw.get("value"), raw.get("direction")
    if category not in CATEGORIES:
        problems.append(f"{at}: unknown category {category!r}")
    elif CATEGORIES[category] and value not in CATEGORIES[category]:
        problems.append(f"{at}: value {value!r} is not one of {sorted(CATEGORIES[category])}")
    if not isinstance(value, str):
        problems.append(f"{at}: value must be a string")
    if direction not in DIRECTIONS:
        problems.append(f"{at}: direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if raw.get("scope", "any") not in ("any", "title"):
        problems.append(f"{at}: scope must be 'any' or 'title'")
    pattern = raw.get("pattern")
    if isinstance(pattern, str) and not pattern.isascii():
        problems.append(f"{at}: {_NOT_ASCII}: {_non_ascii(pattern)}")
    try:  # its vocabulary placeholders; the regex itself is compiled once, with its set (_compile_sets)
        compile_readable(pattern, vocabulary) if isinstance(pattern, str) else None
    except KeyError as exc:
        problems.append(f"{at}: pattern names unknown vocabulary: {exc}")
    if not isinstance(pattern, str) or not pattern:
        problems.append(f"{at}: pattern must be a non-empty string")
    examples = raw.get("examples")
    counter = raw.get("counter_examples", [])
    for key, texts in (("examples", examples), ("counter_examples", counter)):
        if not isinstance(texts, list) or not all(isinstance(t, str) and t for t in texts):
            problems.append(f"{at}: {key} must be a list of non-empty strings")
    if isinstance(examples, list) and not examples:
        problems.append(f"{at}: at least one example is required")
    if len(problems) > before:  # it joins no set, so its regex is checked here: every problem at once
        if isinstance(pattern, str) and pattern:
            try:
                re.compile(compile_readable(pattern, vocabulary))
            except (re.error, KeyError) as exc:
                problems.append(f"{at}: pattern does not compile: {exc}")
        return None
    return Wording(
        wid, str(category), str(value), str(direction), str(pattern), tuple(examples or ()), tuple(counter or ()),
        str(raw.get("scope", "any")), file,
    )


def _compile_sets(
    wordings: Wordings, frames: dict[tuple[str, str], tuple[str, str]], vocabulary: Vocabulary, problems: list[str]
) -> None:
    grouped: dict[tuple[str, str], list[Wording]] = {}
    for wording in wordings:
        grouped.setdefault((wording.category, wording.value), []).append(wording)
    for key in set(frames) - set(grouped):
        problems.append(f"frame {key[0]}/{key[1]}: no wording has this category and value")
    for (category, value), members in grouped.items():
        prefix, suffix = frames.get((category, value), ("", ""))
        sources = [compile_readable(w.pattern, vocabulary) for w in members]
        alternation = "|".join(f"(?:{source})" for source in sources)
        try:
            pattern = re.compile(f"{prefix}(?:{alternation}){suffix}")
        except re.error as exc:
            # Only now compile each wording alone (loading compiles every regex once): name the broken ones,
            # or say they only clash together (e.g. a named group in two wordings of one category and value).
            broken = _broken_wordings(members, sources, problems)
            if not broken:
                ids = ", ".join(w.id for w in members)
                where = f"{members[0].file}: {category}/{value} ({ids})"
                problems.append(f"{where}: the wordings do not compile together (one wording per value here?): {exc}")
            continue
        single = _Compiled({w.id: f"{prefix}(?:{source}){suffix}" for w, source in zip(members, sources, strict=True)})
        wordings.sets[(category, value)] = CueSet(
            category, value, tuple(members), pattern, alternation, prefix, suffix, single,
        )


def _broken_wordings(members: list[Wording], sources: list[str], problems: list[str]) -> list[str]:
    """Report each wording whose pattern does not compile on its own; return their ids."""
    broken = []
    for wording, source in zip(members, sources, strict=True):
        try:
            re.compile(source)
        except re.error as exc:
            problems.append(f"{wording.file}: {wording.id}: pattern does not compile: {exc}")
            broken.append(wording.id)
    return broken


class _Compiled(dict[str, re.Pattern[str]]):
    """Wording id → its framed pattern, compiled on first use (most are only needed to name a match)."""

    def __init__(self, sources: dict[str, str]) -> None:
        super().__init__()
        self.sources = sources

    def __missing__(self, wording_id: str) -> re.Pattern[str]:
        pattern = self[wording_id] = re.compile(self.sources[wording_id])
        return pattern
