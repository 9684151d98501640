"""Who reported a rumour, and how reliable that is: outlets, journalists and clubs with tiers.

The directory is loaded from ``seeds/sources.toml`` (operator-editable). It answers two questions:

- ``for_feed(url, title)``: which outlet publishes this feed (by domain, then by feed title);
- ``cited(text)``: which sources an article *cites* ("according to Calciomercato", "Di Marzio says",
  "(Mirror)", "told The Athletic", "official: Milan"). A source merely *named* is not cited: an
  outlet or club counts only next to a citing cue, so "Sky Sports pundit" or "Milan beat Roma"
  cite nobody.

Pure: no I/O beyond reading the seed file, never imports ``discord``.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import ahocorasick

from bot.errors import ConfigError
from bot.language.fold import fold_cased, fold_text
from bot.language.pack import LanguagePack, pack_for
from bot.models.sources import DEFAULT_TIER, Source, SourceKind

if TYPE_CHECKING:
    from bot.language.document import Document

__all__ = [
    "DEFAULT_TIER",
    "Source",
    "SourceDirectory",
    "SourceKind",
    "load_sources",
]

_MIN_TIER, _MAX_TIER = 0, 5


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # the haystacks are ASCII
_PAREN_AFTER = re.compile(r"^\s*(?:[-–,]\s*[^()]{0,40})?\)")
_PAREN_BEFORE = re.compile(r"\(\s*(?:the\s+)?$")
_NAMES_MEMO_SIZE = 4096


@dataclass(frozen=True, slots=True)
class _Alias:
    text: str  # folded (or ASCII with case, when exact)
    source: Source
    exact: bool

    def __reduce__(self) -> tuple[type[_Alias], tuple[str, Source, bool]]:
        # Reading processes get a pickled copy (bot.reading); compiled frozen classes unpickle by construction.
        return (_Alias, (self.text, self.source, self.exact))


@dataclass(slots=True)
class SourceDirectory:
    """Known outlets, journalists and club sites, with the lookups the pipeline needs."""

    sources: tuple[Source, ...]
    default_tier: int = DEFAULT_TIER
    _domains: dict[str, Source] = field(default_factory=dict, init=False, repr=False)
    _aliases: list[_Alias] = field(default_factory=list, init=False, repr=False)
    _by_name: dict[str, Source] = field(default_factory=dict, init=False, repr=False)
    # One automaton per haystack (folded / exact-case); values are indexes into _aliases.
    _automata: dict[bool, ahocorasick.Automaton] = field(default_factory=dict, init=False, repr=False)
    # Gossip digests end claim after claim with the same "(Mirror)": remember which names are sources.
    _names: dict[str, bool] = field(default_factory=dict, init=False, repr=False)

    # ------------------------------------------------------------------ construction
    def _add_alias(self, text: str, source: Source, *, exact: bool) -> None:
        key = fold_cased(text) if exact else fold_text(text)
        key = key.strip()
        if key:
            self._aliases.append(_Alias(key, source, exact))

    def _finish(self) -> None:
        # Longest alias first so that "Sky Sport Italia" wins over "Sky" and "BBC Sport" over "Sport".
        self._aliases.sort(key=lambda a: len(a.text), reverse=True)
        for exact in (False, True):
            automaton = ahocorasick.Automaton()
            for index, alias in enumerate(self._aliases):
                if alias.exact is exact:
                    automaton.add_word(alias.text, (*automaton.get(alias.text, ()), index))
            if len(automaton):
                automaton.make_automaton()
                self._automata[exact] = automaton
        for source in self.sources:
            self._by_name.setdefault(fold_text(source.name), source)

    # ------------------------------------------------------------------ lookups
    def get(self, name: str) -> Source | None:
        """The source whose canonical name is ``name`` (folded), or None."""
        return self._by_name.get(fold_text(name))

    def lookup(self, text: str) -> Source | None:
        """The source that ``text`` names entirely ("the Mirror", "Daily Mirror", "Sky Sports")."""
        stripped = re.sub(r"\s+", " ", text).strip()
        bare = re.sub(r"^(?:the|a)\s+", "", stripped, flags=re.IGNORECASE)
        folded = {fold_text(stripped), fold_text(bare), fold_text("the " + bare)}
        cased = {fold_cased(stripped), fold_cased(bare)}
        for alias in self._aliases:
            if alias.text in (cased if alias.exact else folded):
                return alias.source
        return None

    def unknown(self, name: str) -> Source:
        """A source not in the directory: the neutral default tier, flagged unknown."""
        return Source(name=name, tier=self.default_tier, kind=SourceKind.OUTLET, outlet=name, known=False)

    def for_feed(self, url: str | None, title: str | None) -> Source | None:
        """The outlet publishing a feed: by the URL's domain, else by the feed's title.

        Returns an *unknown* source (default tier) when neither identifies a known outlet, and None
        only when there is nothing to go on (no URL host and no title). Only a domain listed in
        ``sources.toml`` makes a feed a club's own (tier 0): a fan feed titled "Milan Insider" or
        "Spurs Web" is not AC Milan or Tottenham speaking, so a title never names a club or a tier-0 source.
        """
        host, path = "", ""
        if url:
            parts = urlsplit(url if "//" in url else "//" + url)
            host = (parts.hostname or "").lower().removeprefix("www.")
            path = parts.path.lower()
        if host:
            best: tuple[int, Source] | None = None
            for domain, source in self._domains.items():
                dom_host, _, dom_path = domain.partition("/")
                if host != dom_host and not host.endswith("." + dom_host):
                    continue
                if dom_path and not path.lstrip("/").startswith(dom_path):
                    continue
                if best is None or len(domain) > best[0]:
                    best = (len(domain), source)
            if best is not None:
                return best[1]
        if title and title.strip():
            found = [hit for hit in self._find_aliases(fold_text(title), title, pack_for("en"), require_cue=False)
                     if hit[2].kind is not SourceKind.CLUB and hit[2].tier > 0]
            if found:
                return found[0][2]
            return self.unknown(title.strip())
        if host:
            return self.unknown(host)
        return None

    def names_source(self, name: str) -> bool:
        """True when ``name`` is, in full, a source of the directory (answers remembered)."""
        found = self._names.get(name)
        if found is None:
            if len(self._names) >= _NAMES_MEMO_SIZE:
                self._names.clear()
            found = self._names[name] = self.lookup(name) is not None
        return found

    def cited(self, text: str, *, language: str = "en") -> list[Source]:
        """Sources the text cites, in order of first citation, each once.

        An outlet or journalist counts only next to a citing cue ("according to", "per", "reports",
        "says", "told", "Italian outlet", "(Mirror)"); a club only when the text says the club spoke
        ("official: Milan", "Tottenham have announced", "the club confirmed"). The cues are the
        ``citation`` wordings of the text's language.
        """
        return self._cited(fold_text(text), text, pack_for(language))

    def cited_in(self, doc: Document, start: int, end: int) -> list[Source]:
        """The sources a span ``[start, end)`` (original offsets) of a Document cites.

        The same answer as ``cited`` on the span's text, but the aliases are looked for once per
        Document (its claims and sentences are asked in turn): each span only filters those inside it.
        """
        index = doc.citations
        if not isinstance(index, _DocumentAliases) or index.directory is not self:
            index = doc.citations = _DocumentAliases(self, doc.folded.text, self._cased(doc.text))
        lo, hi = doc.to_folded(start), doc.to_folded(end)
        lang = pack_for(doc.language, doc.seeds)
        found = self._pick_aliases(index.folded, index.cased, index.within(lo, hi), lang, lo, hi, require_cue=True,
                                   cue_memo=index.cue_memo)
        return self._citations([(s - lo, e - lo, source) for s, e, source in found], index.folded[lo:hi], lang)

    def _cited(self, folded: str, text: str, lang: LanguagePack) -> list[Source]:
        return self._citations(self._find_aliases(folded, text, lang, require_cue=True), folded, lang)

    def _citations(self, found: list[tuple[int, int, Source]], folded: str, lang: LanguagePack) -> list[Source]:
        """The sources cited by a folded text, given its alias hits that have a citing cue."""
        result: list[tuple[int, Source]] = [(start, source) for start, _end, source in found]
        generic = lang.cues("citation", "club-generic")
        if lang.search(generic, folded):
            for match in generic.pattern.finditer(folded):
                if not any(s.kind is SourceKind.CLUB for _, s in result):
                    result.append((match.start(), Source("the club", 0, SourceKind.CLUB, None)))
        result.sort(key=lambda pair: pair[0])
        seen: dict[str, Source] = {}
        for _, source in result:
            seen.setdefault(source.name, source)
        return list(seen.values())

    def report_source(self, text: str, feed_source: Source | None) -> Source | None:
        """The source a report rests on: the first source it cites, else the feed's own outlet.

        The first citation is taken (not the best tier) because a report normally leads with the
        outlet it rewrites; later names are usually "also reported by" context.
        """
        cited = self.cited(text)
        return cited[0] if cited else feed_source

    # ------------------------------------------------------------------ internals
    def _find_aliases(
        self, folded: str, text: str, lang: LanguagePack, *, require_cue: bool
    ) -> list[tuple[int, int, Source]]:
        """Non-overlapping alias hits (longest first) as ``(start, end, source)`` in folded offsets."""
        cased = self._cased(text)
        candidates = sorted((index, start) for start, index in self._occurrences(folded, cased))
        return self._pick_aliases(folded, cased, candidates, lang, 0, len(folded), require_cue=require_cue)

    def _cased(self, text: str) -> str:
        """The exact-case haystack (only when some alias is matched with its case)."""
        return fold_cased(text) if True in self._automata else ""

    def _occurrences(self, folded: str, cased: str) -> list[tuple[int, int]]:
        """Every occurrence of every alias as (start, alias index), by start."""
        found: list[tuple[int, int]] = []
        for exact, automaton in self._automata.items():
            for last, indexes in automaton.iter(cased if exact else folded):
                found.extend((last - len(self._aliases[index].text) + 1, index) for index in indexes)
        found.sort()
        return found

    def _pick_aliases(
        self, folded: str, cased: str, candidates: list[tuple[int, int]], lang: LanguagePack, lo: int, hi: int, *,
        require_cue: bool, cue_memo: dict[tuple[int, int, int, int, bool], bool] | None = None,
    ) -> list[tuple[int, int, Source]]:
        """The hits kept among ``candidates`` (alias index, start) of the span ``[lo, hi)``: longest alias first,
        left to right, whole words, not overlapping; cues are looked for inside the span only."""
        taken = _Taken()
        hits: list[tuple[int, int, Source]] = []
        for index, start in candidates:
            alias = self._aliases[index]
            haystack = cased if alias.exact else folded
            end = start + len(alias.text)
            if _bounded(haystack, start, end, lo, hi) and not taken.overlaps(start, end):
                # The span is taken even without a cue, so that "Sky" never re-matches inside
                # an uncited "Sky Sport Italia".
                taken.add(start, end)
                if not require_cue or _cited_here(lang, folded, start, end, alias.source, lo, hi, cue_memo):
                    hits.append((start, end, alias.source))
        hits.sort(key=lambda hit: hit[0])
        if require_cue:
            hits = _prefer_journalists(folded, hits)
        return hits


class _DocumentAliases:
    """Where a Document names sources (any alias, cue or not), found once; spans take theirs by bisection."""

    __slots__ = ("cased", "cue_memo", "directory", "folded", "occurrences", "starts")

    def __init__(self, directory: SourceDirectory, folded: str, cased: str) -> None:
        self.directory = directory
        self.folded, self.cased = folded, cased
        self.occurrences = directory._occurrences(folded, cased)
        self.starts = [start for start, _index in self.occurrences]
        # Whether a name has its citing cue, by the windows looked at: a sentence and its claim see the same.
        self.cue_memo: dict[tuple[int, int, int, int, bool], bool] = {}

    def within(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The occurrences inside ``[lo, hi)`` as (alias index, start), sorted like ``_find_aliases`` sorts them."""
        aliases = self.directory._aliases
        inside = self.occurrences[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]
        return sorted((index, start) for start, index in inside if start + len(aliases[index].text) <= hi)


class _Taken:
    """Disjoint spans, sorted: whether a new span overlaps one is two neighbours' business (not a scan)."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect_right(self.starts, start)
        return (at > 0 and self.ends[at - 1] > start) or (at < len(self.starts) and self.starts[at] < end)

    def add(self, start: int, end: int) -> None:
        at = bisect_right(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


def _cited_here(
    lang: LanguagePack, folded: str, start: int, end: int, source: Source, lo: int, hi: int,
    memo: dict[tuple[int, int, int, int, bool], bool] | None,
) -> bool:
    """``_has_cue``, remembered in ``memo`` by what it depends on (the windows it reads and the kind of source)."""
    if memo is None:
        return _has_cue(lang, folded, start, end, source, lo, hi)
    key = (start, end, max(lo, start - 60), min(hi, end + 60), source.kind is SourceKind.CLUB)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _has_cue(lang, folded, start, end, source, lo, hi)
    return found


def _has_cue(lang: LanguagePack, folded: str, start: int, end: int, source: Source, lo: int, hi: int) -> bool:
    """True when a citing wording sits right before or after the source's name (inside ``[lo, hi)``)."""
    before = folded[max(lo, start - 60) : start]
    after = folded[end : min(hi, end + 60)]
    if source.kind is SourceKind.CLUB:
        return bool(
            lang.search(lang.cues("citation", "club-before"), before)
            or lang.cues("citation", "club-after").pattern.match(after)
        )
    if _PAREN_BEFORE.search(before):
        return bool(_PAREN_AFTER.search(after))
    if lang.cues("citation", "after").pattern.match(after):
        return True
    # "The Athletic's David Ornstein", "Sky Sport Italia journalist Di Marzio": the outlet is the
    # journalist's frame, not a citation of its own; the journalist carries the cue.
    if lang.search(lang.cues("citation", "before"), before):
        return True
    # "from", "in" and "by" are only cues in a reporting frame ("a report in the Times", "claims by the
    # Sun", "quotes from Sky Sports"); the frame word must come just before them.
    return bool(
        lang.search(lang.cues("citation", "before-weak"), before)
        and lang.search(lang.cues("citation", "weak-frame"), before)
    )


def _prefer_journalists(folded: str, hits: list[tuple[int, int, Source]]) -> list[tuple[int, int, Source]]:
    """Drop an outlet hit directly framing a journalist hit ("The Athletic's David Ornstein")."""
    result: list[tuple[int, int, Source]] = []
    for index, hit in enumerate(hits):
        nxt = hits[index + 1] if index + 1 < len(hits) else None
        if (
            nxt is not None
            and hit[2].kind is SourceKind.OUTLET
            and nxt[2].kind is SourceKind.JOURNALIST
            and re.fullmatch(r"\s*(?:'s?|journalist|reporter|insider|correspondent)?\s*", folded[hit[1] : nxt[0]])
        ):
            continue
        result.append(hit)
    return result


def _bounded(haystack: str, start: int, end: int, lo: int, hi: int) -> bool:
    """True when ``[start, end)`` is a whole-word span of ``haystack[lo:hi]`` (no letter/digit glued on either side)."""
    left_ok = start == lo or haystack[start - 1].lower() not in _WORD_CHARS
    right_ok = end >= hi or haystack[end].lower() not in _WORD_CHARS
    return left_ok and right_ok


# ----------------------------------------------------------------------------- loading


def _tier(value: object, where: str, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not _MIN_TIER <= value <= _MAX_TIER:
        problems.append(f"{where}: tier must be an integer from {_MIN_TIER} to {_MAX_TIER}, got {value!r}")
        return DEFAULT_TIER
    return value


def _strings(value: object, where: str, key: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: {key} must be a list of strings")
        return []
    return [v for v in value if isinstance(v, str)]


def load_sources(path: Path) -> SourceDirectory:
    """Load ``sources.toml``; every problem in the file is reported at once as a ConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError([f"{path}: file not found"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from exc

    problems: list[str] = []
    default_tier = _tier(data.get("default_tier", DEFAULT_TIER), f"{path}: default_tier", problems)
    entries: list[tuple[Source, list[str], list[str], list[str]]] = []  # source, aliases, exact, domains

    for section, kind in (("outlet", SourceKind.OUTLET), ("journalist", SourceKind.JOURNALIST),
                          ("club", SourceKind.CLUB)):
        raw = data.get(section, [])
        if not isinstance(raw, list):
            problems.append(f"{path}: [[{section}]] must be an array of tables")
            continue
        for index, item in enumerate(raw):
            where = f"{path}: {section} #{index + 1}"
            if not isinstance(item, dict):
                problems.append(f"{where}: must be a table")
                continue
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: name is required")
                continue
            where = f"{path}: {section} {name!r}"
            tier = 0 if kind is SourceKind.CLUB else _tier(item.get("tier"), where, problems)
            outlet = item.get("outlet") if kind is SourceKind.JOURNALIST else name
            if outlet is not None and not isinstance(outlet, str):
                problems.append(f"{where}: outlet must be a string")
                outlet = None
            source = Source(name=name, tier=tier, kind=kind, outlet=outlet)
            aliases = _strings(item.get("aliases"), where, "aliases", problems)
            exact = _strings(item.get("exact_case"), where, "exact_case", problems)
            domains = [
                d.lower().removeprefix("www.") for d in _strings(item.get("domains"), where, "domains", problems)
            ]
            if name not in exact:
                aliases = [name, *aliases]
            entries.append((source, aliases, exact, domains))

    _check_entries(path, entries, problems)
    if problems:
        raise ConfigError(problems)

    directory = SourceDirectory(sources=tuple(e[0] for e in entries), default_tier=default_tier)
    for source, aliases, exact, domains in entries:
        for alias in aliases:
            directory._add_alias(alias, source, exact=False)
        for alias in exact:
            directory._add_alias(alias, source, exact=True)
        for domain in domains:
            directory._domains[domain] = source
    directory._finish()
    return directory


def _check_entries(path: Path, entries: list[tuple[Source, list[str], list[str], list[str]]],
                   problems: list[str]) -> None:
    """Problems across entries: a source defined twice, a journalist whose outlet is not listed."""
    names = [fold_text(e[0].name) for e in entries]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{path}: source {duplicate!r} is defined more than once")
    outlet_names = {fold_text(e[0].name) for e in entries if e[0].kind is SourceKind.OUTLET}
    for source, *_ in entries:
        if source.kind is SourceKind.JOURNALIST and source.outlet and fold_text(source.outlet) not in outlet_names:
            problems.append(f"{path}: journalist {source.name!r}: unknown outlet {source.outlet!r}")
