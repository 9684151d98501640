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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import ahocorasick
from anyascii import anyascii

from bot.errors import ConfigError
from bot.models.sources import DEFAULT_TIER, Source, SourceKind

__all__ = [
    "DEFAULT_TIER",
    "Source",
    "SourceDirectory",
    "SourceKind",
    "fold",
    "fold_with_map",
    "load_sources",
]

_MIN_TIER, _MAX_TIER = 0, 5


# ----------------------------------------------------------------------------- folding


# Characters whose transliteration is one character, learned as texts come in: a text made only of
# ASCII and such characters folds with one str.translate call and an identity offset map, which
# keeps the per-character loop below for the rare text with "ß", emoji and the like.
_ONE_CHAR: dict[int, str] = {}
_ONE_CHAR_CASED: dict[int, str] = {}
_NOT_ONE_CHAR: set[str] = set()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _one_to_one(text: str) -> bool:
    """Learn the new non-ASCII characters of ``text``; True if every one transliterates to one character."""
    ok = True
    for char in set(_NON_ASCII.findall(text)):
        if ord(char) in _ONE_CHAR:
            continue
        if char in _NOT_ONE_CHAR:
            ok = False
            continue
        piece = anyascii(char)
        if len(piece) == 1 and len(piece.casefold()) == 1:
            _ONE_CHAR[ord(char)] = piece.casefold()
            _ONE_CHAR_CASED[ord(char)] = piece
        else:
            _NOT_ONE_CHAR.add(char)
            ok = False
    return ok


_CITED_CACHE_SIZE = 4096


def _fold_run(text: str) -> str:
    """Fold a run of ASCII and one-character-fold text (str.translate with a dict is slow on non-ASCII)."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(lambda found: _ONE_CHAR[ord(found.group())], text).lower()


def _cased_run(text: str) -> str:
    """Transliterate such a run, keeping case."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda found: _ONE_CHAR_CASED[ord(found.group())], text)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` for matching (diacritics removed, case folded) and map back to the original.

    Returns ``(folded, starts)`` where ``starts[i]`` is the index in ``text`` of the character that
    produced ``folded[i]``; ``starts`` has one extra entry, ``len(text)``, so that an exclusive end
    in the folded text maps to an exclusive end in the original.
    Folding is done per character so that offsets survive expansions such as "ß" → "ss".
    """
    if text.isascii() or _one_to_one(text):
        return _fold_run(text), list(range(len(text) + 1))
    pieces: list[str] = []
    starts: list[int] = []
    pos = 0
    for found in _NON_ASCII.finditer(text):
        char, index = found.group(), found.start()
        if ord(char) in _ONE_CHAR:
            continue  # folded with the run around it
        pieces.append(_fold_run(text[pos:index]))
        starts.extend(range(pos, index))
        pos = index + 1
        piece = anyascii(char).casefold()
        if not piece and not char.isspace():
            continue  # characters with no ASCII form (emoji, symbols) vanish
        piece = piece or " "
        pieces.append(piece)
        starts.extend([index] * len(piece))
    pieces.append(_fold_run(text[pos:]))
    starts.extend(range(pos, len(text) + 1))
    return "".join(pieces), starts


def fold(text: str) -> str:
    """Fold ``text`` for matching: ASCII transliteration (Drăgușin → dragusin), then casefold."""
    return fold_with_map(text)[0]


def _ascii_keep_case(text: str) -> str:
    """Transliterate per character without case folding; same length as ``fold(text)``."""
    if text.isascii() or _one_to_one(text):
        return _cased_run(text)
    pieces: list[str] = []
    pos = 0
    for found in _NON_ASCII.finditer(text):
        char, index = found.group(), found.start()
        if ord(char) in _ONE_CHAR:
            continue
        pieces.append(_cased_run(text[pos:index]))
        pos = index + 1
        piece = anyascii(char)
        if not piece and not char.isspace():
            continue
        piece = piece or " "
        # Keep the length equal to the folded form (casefold never changes ASCII length, but a
        # non-ASCII char may casefold to a different length than its transliteration).
        pieces.append(piece if len(piece) == len(piece.casefold()) else piece.casefold())
    pieces.append(_cased_run(text[pos:]))
    return "".join(pieces)


# ----------------------------------------------------------------------------- cues

# A cue before a source name: "according to X", "per X", "reports X", "told X", "Italian outlet X".
_BEFORE_CUE = re.compile(
    r"(?:according\s+to|per|via|reports?|reported\s+by|reporting\s+by|report\s+(?:from|in|by)|"
    r"(?:says|said|writes|wrote|claims?|reveals?|revealed|understands?|confirms?|adds|added)\s*[:,]?|"
    r"told|tells|telling|speaking\s+to|talking\s+to|(?:interview|speaking)\s+with|as\s+reported\s+by|"
    r"as\s+revealed\s+by|as\s+claimed\s+by|sources?\s+close\s+to|"
    r"(?:outlet|newspaper|paper|daily|publication|broadcaster|journalist|reporter|insider|correspondent|"
    r"website|site|tabloid|radio|channel|network|expert|guru|columnist|chief\s+football\s+writer|"
    r"football\s+writer|transfer\s+expert|transfer\s+guru|transfer\s+insider)|"
    r"from|in|by|\()"
    r"\s*(?:the\s+)?$"
)
# "from", "in" and "by" are only cues in a reporting frame ("a report in the Times", "claims by the
# Sun", "quotes from Sky Sports"); the frame word must come just before them.
_WEAK_BEFORE = re.compile(
    r"(?:report|reports|reported|story|claims?|quotes?|interview|article|column|podcast|piece|"
    r"according|published|revealed|comments|told)\s+(?:\w+\s+){0,2}(?:from|in|by)\s*(?:the\s+)?$"
)
# A cue after a source name: "X reports", "X's David Ornstein", "X understands", "(X)".
_AFTER_CUE = re.compile(
    r"^\s*(?:(?:has|have|is|are|had|was)\s+)?(?:also\s+|now\s+|exclusively\s+|previously\s+|since\s+)?"
    r"(?:reports?|reported|reporting|says?|said|claims?|claimed|reveals?|revealed|understands?|"
    r"has\s+learned|learned|writes|wrote|been\s+told|confirms?|confirmed|adds|added|states|stated|"
    r"notes|explains|insists|suggests|suggested|believes|tweeted|posted|indicates?)\b"
    r"|^\s*:(?!\d)"
)
_PAREN_AFTER = re.compile(r"^\s*(?:[-–,]\s*[^()]{0,40})?\)")
_PAREN_BEFORE = re.compile(r"\(\s*(?:the\s+)?$")

# Club as a source: only when the text says the club itself spoke.
_CLUB_BEFORE = re.compile(
    r"(?:official\s*[:!\-–]?|officially|announced\s+by|confirmed\s+by|statement\s+(?:from|by)|"
    r"(?:website|site|channels|statement)\s+of)\s*(?:the\s+)?$"
)
_CLUB_AFTER = re.compile(
    r"^\s*(?:(?:have|has|had)\s+)?(?:now\s+|today\s+|this\s+\w+\s+)?(?:officially\s+)?"
    r"(?:announced?|announces|confirmed?|confirms|said\s+in\s+a\s+statement|released\s+a\s+statement)\b"
    r"|^\s*'s?\s+(?:official|statement|website|announcement)"
)
_GENERIC_CLUB = re.compile(
    r"\b(?:the\s+club|the\s+clubs|both\s+clubs)\s+(?:have\s+|has\s+)?(?:now\s+|today\s+)?"
    r"(?:officially\s+)?(?:announced?|announces|confirmed?|confirms|said\s+in\s+a\s+statement)\b"
    r"|\b(?:club|official)\s+statement\b|\bofficially\s+announced\b"
)

_WORD = re.compile(r"[a-z0-9]")


@dataclass(frozen=True, slots=True)
class _Alias:
    text: str  # folded (or ASCII with case, when exact)
    source: Source
    exact: bool


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
    # Extraction asks for the citations of each sentence and then of its whole claim: remember answers.
    _cited_cache: dict[str, tuple[Source, ...]] = field(default_factory=dict, init=False, repr=False)

    # ------------------------------------------------------------------ construction
    def _add_alias(self, text: str, source: Source, *, exact: bool) -> None:
        key = _ascii_keep_case(text) if exact else fold(text)
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
            self._by_name.setdefault(fold(source.name), source)

    # ------------------------------------------------------------------ lookups
    def get(self, name: str) -> Source | None:
        """The source whose canonical name is ``name`` (folded), or None."""
        return self._by_name.get(fold(name))

    def lookup(self, text: str) -> Source | None:
        """The source that ``text`` names entirely ("the Mirror", "Daily Mirror", "Sky Sports")."""
        stripped = re.sub(r"\s+", " ", text).strip()
        bare = re.sub(r"^(?:the|a)\s+", "", stripped, flags=re.IGNORECASE)
        folded = {fold(stripped), fold(bare), fold("the " + bare)}
        cased = {_ascii_keep_case(stripped), _ascii_keep_case(bare)}
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
            found = [hit for hit in self._find_aliases(title, require_cue=False)
                     if hit[2].kind is not SourceKind.CLUB and hit[2].tier > 0]
            if found:
                return found[0][2]
            return self.unknown(title.strip())
        if host:
            return self.unknown(host)
        return None

    def cited(self, text: str) -> list[Source]:
        """Sources the text cites, in order of first citation, each once.

        An outlet or journalist counts only next to a citing cue ("according to", "per", "reports",
        "says", "told", "Italian outlet", "(Mirror)"); a club only when the text says the club spoke
        ("official: Milan", "Tottenham have announced", "the club confirmed").
        """
        cached = self._cited_cache.get(text)
        if cached is not None:
            return list(cached)
        if len(self._cited_cache) >= _CITED_CACHE_SIZE:
            self._cited_cache.clear()  # a crude bound: extraction asks about the same sentences in bursts
        found = self._find_aliases(text, require_cue=True)
        result: list[tuple[int, Source]] = [(start, source) for start, _end, source in found]
        folded = fold(text)
        for match in _GENERIC_CLUB.finditer(folded):
            if not any(s.kind is SourceKind.CLUB for _, s in result):
                result.append((match.start(), Source("the club", 0, SourceKind.CLUB, None)))
        result.sort(key=lambda pair: pair[0])
        seen: dict[str, Source] = {}
        for _, source in result:
            seen.setdefault(source.name, source)
        self._cited_cache[text] = tuple(seen.values())
        return list(seen.values())

    def report_source(self, text: str, feed_source: Source | None) -> Source | None:
        """The source a report rests on: the first source it cites, else the feed's own outlet.

        The first citation is taken (not the best tier) because a report normally leads with the
        outlet it rewrites; later names are usually "also reported by" context.
        """
        cited = self.cited(text)
        return cited[0] if cited else feed_source

    # ------------------------------------------------------------------ internals
    def _find_aliases(self, text: str, *, require_cue: bool) -> list[tuple[int, int, Source]]:
        """Non-overlapping alias hits (longest first) as ``(start, end, source)`` in folded offsets."""
        folded = fold(text)
        cased = _ascii_keep_case(text)
        taken: list[tuple[int, int]] = []
        hits: list[tuple[int, int, Source]] = []
        # Every occurrence of every alias, then taken longest alias first, left to right.
        candidates: list[tuple[int, int]] = []  # (alias index, start)
        for exact, automaton in self._automata.items():
            for last, indexes in automaton.iter(cased if exact else folded):
                candidates.extend((index, last - len(self._aliases[index].text) + 1) for index in indexes)
        candidates.sort()
        for index, start in candidates:
            alias = self._aliases[index]
            haystack = cased if alias.exact else folded
            end = start + len(alias.text)
            if _bounded(haystack, start, end) and not any(s < end and start < e for s, e in taken):
                # The span is taken even without a cue, so that "Sky" never re-matches inside
                # an uncited "Sky Sport Italia".
                taken.append((start, end))
                if not require_cue or self._has_cue(folded, start, end, alias.source):
                    hits.append((start, end, alias.source))
        hits.sort(key=lambda hit: hit[0])
        if require_cue:
            hits = _prefer_journalists(folded, hits)
        return hits

    @staticmethod
    def _has_cue(folded: str, start: int, end: int, source: Source) -> bool:
        before = folded[max(0, start - 60) : start]
        after = folded[end : end + 60]
        if source.kind is SourceKind.CLUB:
            return bool(_CLUB_BEFORE.search(before) or _CLUB_AFTER.search(after))
        if _PAREN_BEFORE.search(before):
            return bool(_PAREN_AFTER.search(after))
        if _AFTER_CUE.search(after):
            return True
        # "The Athletic's David Ornstein", "Sky Sport Italia journalist Di Marzio": the outlet is the
        # journalist's frame, not a citation of its own; the journalist carries the cue.
        before_cue = _BEFORE_CUE.search(before)
        if before_cue is None:
            return False
        word = before_cue.group(0).strip().removesuffix("the").strip()
        if word in {"from", "in", "by"}:
            return bool(_WEAK_BEFORE.search(before))
        return True


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


def _bounded(haystack: str, start: int, end: int) -> bool:
    """True when ``[start, end)`` is a whole-word span (no letter/digit glued on either side)."""
    left_ok = start == 0 or not _WORD.match(haystack[start - 1].lower())
    right_ok = end >= len(haystack) or not _WORD.match(haystack[end].lower())
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

    for section, kind in (
        ("outlet", SourceKind.OUTLET),
        ("journalist", SourceKind.JOURNALIST),
        ("club", SourceKind.CLUB),
    ):
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

    names = [fold(e[0].name) for e in entries]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{path}: source {duplicate!r} is defined more than once")
    outlet_names = {fold(e[0].name) for e in entries if e[0].kind is SourceKind.OUTLET}
    for source, *_ in entries:
        if source.kind is SourceKind.JOURNALIST and source.outlet and fold(source.outlet) not in outlet_names:
            problems.append(f"{path}: journalist {source.name!r}: unknown outlet {source.outlet!r}")
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
