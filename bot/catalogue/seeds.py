"""Load the catalogue from `seeds/`: clubs (TOML per league), players (CSV per league), people (TOML).

Loading also decides how far each alias can be trusted: an alias shared by several entities, or a
player's surname that is a common English word, is downgraded so that it never matches on its own.

A broken seed file is refused as a whole (:class:`SeedError`, every problem with its file and line):
starting on a catalogue that silently lacks a file's clubs or players would be worse than not starting.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.catalogue.model import Catalogue, Collision, Person
from bot.catalogue.normalize import norm, slug
from bot.catalogue.vocabulary import load_vocabulary
from bot.errors import ConfigError, MercatoError
from bot.models import Alias, AliasKind, Entity, EntityKind

PLAYER_COLUMNS = ("name", "aliases", "club", "position", "nationality", "as_of")
POSITIONS = frozenset({"GK", "DF", "MF", "FW"})
MAX_NAME = 100  # characters in a player's or club's name or alias (the longest real ones are ~40)
_STRONGISH = (AliasKind.STRONG, AliasKind.PLACE)


class SeedError(ConfigError):
    """The seed files are broken; ``problems`` name the file and line of each, all at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        MercatoError.__init__(
            self,
            "Broken seed files: Mercato will not run on a catalogue missing part of them. Fix these and retry:\n"
            + "\n".join(f"  - {p}" for p in problems),
        )


def table_lines(text: str, table: str) -> list[int]:
    """The 1-based line of each ``[[table]]`` header in a TOML text, in order (tomllib keeps no positions)."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    return [number for number, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def load_catalogue(seeds_dir: Path) -> Catalogue:
    """Read every seed file under ``seeds_dir`` and return the catalogue with alias trust decided.

    Raises :class:`SeedError` listing every problem (file:line) if any seed file is broken.
    """
    problems: list[str] = []
    clubs, club_aliases = _load_clubs(sorted((seeds_dir / "clubs").glob("*.toml")), problems)
    people = _load_people(seeds_dir / "people.toml", problems)
    common_words = _load_words(seeds_dir / "common_words.txt")
    collisions: list[Collision] = []
    women = {club.id for club in clubs if club.women}
    # A club alias is demoted only when two clubs both claim it as a name; "Rangers" stays Rangers'
    # even though QPR lists it as a shared word (the matcher prefers QPR when QPR is named). Men's and
    # women's names are told apart by context (bot.catalogue.context), so they do not demote each other.
    club_aliases = _downgrade_shared(
        club_aliases, _STRONGISH, AliasKind.CONFIRM, collisions, women, trusted_by_several=True
    )
    club_index = _club_index(clubs, club_aliases)
    players, player_aliases = _load_players(
        sorted((seeds_dir / "players").glob("*.csv")), club_index, women, problems
    )
    women |= {player.id for player in players if player.women}
    player_aliases = _downgrade_shared(player_aliases, (AliasKind.STRONG,), AliasKind.CONTEXT, collisions, women)
    people_names = {norm(alias) for p in people for alias in p.aliases}
    men_clubs = {norm(a.text) for a in club_aliases if a.entity_id not in women}
    taken = {  # a women's player's alias must not be any club's name; a men's player's, any men's club's
        False: men_clubs | people_names,
        True: {norm(a.text) for a in club_aliases} | people_names,
    }
    player_aliases = _downgrade_words(player_aliases, taken, women, common_words, collisions)
    vocabulary = load_vocabulary(seeds_dir / "sports.toml", problems)
    if problems:
        raise SeedError(problems)
    catalogue = Catalogue.build([*clubs, *players], [*club_aliases, *player_aliases], people)
    catalogue.collisions.extend(collisions)
    catalogue.vocabulary = vocabulary
    return catalogue


def _as_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    problems.append(f"{where}: expected a list of strings, got {value!r}")
    return []


def _load_clubs(files: Iterable[Path], problems: list[str]) -> tuple[list[Entity], list[Alias]]:
    entities: dict[str, Entity] = {}
    aliases: list[Alias] = []
    parents: dict[str, tuple[str, str]] = {}  # women's club id -> (parent name as written, where)
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{_shown(path)}: cannot read ({exc})")
            continue
        lines = table_lines(text, "club")
        file_women = _flag(data.get("women", False), f"{path.name}: women", problems)
        for i, club in enumerate(data.get("club", [])):
            where = f"{_shown(path)}:{lines[i] if i < len(lines) else '?'}: club #{i + 1}"
            if not isinstance(club, dict):
                problems.append(f"{where}: must be a table")
                continue
            name = club.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
                too_long = isinstance(name, str) and len(name) > MAX_NAME
                problems.append(f"{where}: {f'name longer than {MAX_NAME} characters' if too_long else 'missing name'}")
                continue
            entity_id = f"club:{slug(name)}"
            if entity_id in entities:
                problems.append(f"{where}: duplicate club {name!r}")
                continue
            women = _flag(club.get("women", file_women), f"{where} ({name}): women", problems)
            parent = club.get("parent")
            if parent is not None and (not isinstance(parent, str) or not parent.strip()):
                problems.append(f"{where} ({name}): parent must be a club's name, got {parent!r}")
            elif parent is not None and not women:
                problems.append(f"{where} ({name}): only a women's team has a parent club")
            elif parent is not None:
                parents[entity_id] = (parent, where)
            entities[entity_id] = Entity(
                id=entity_id,
                kind=EntityKind.CLUB,
                name=name,
                country=club.get("country", data.get("country")),
                league=club.get("league", data.get("league")),
                women=women,
            )
            aliases.extend(_club_aliases(club, name, entity_id, where, problems))
    return _link_parents(entities, aliases, parents, problems), aliases


def _flag(value: Any, where: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    problems.append(f"{where}: expected true or false, got {value!r}")
    return False


def _club_aliases(club: dict[str, Any], name: str, entity_id: str, where: str, problems: list[str]) -> list[Alias]:
    places = _as_list(club.get("places"), where, problems)
    shared = _as_list(club.get("shared"), where, problems)
    kinds: dict[str, tuple[str, AliasKind]] = {}
    strong = [name, *_as_list(club.get("official"), where, problems)]
    strong += _as_list(club.get("names"), where, problems) + _as_list(club.get("nicknames"), where, problems)
    # Later kinds win: a canonical name listed under places or shared takes that weaker kind.
    for texts, kind in ((strong, AliasKind.STRONG), (places, AliasKind.PLACE), (shared, AliasKind.CONFIRM)):
        for text in texts:
            if len(norm(text)) >= 2:
                kinds[norm(text)] = (text, kind)
    return [Alias(text, entity_id, kind) for text, kind in kinds.values()]


def _link_parents(
    entities: dict[str, Entity], aliases: list[Alias], parents: dict[str, tuple[str, str]], problems: list[str]
) -> list[Entity]:
    """Set each women's team's ``parent_id``: the men's club its ``parent`` names (one women's team a club)."""
    by_name: dict[str, set[str]] = defaultdict(set)
    canonical = {norm(club.name): {club.id} for club in entities.values() if not club.women}
    for alias in aliases:
        if alias.kind is AliasKind.STRONG and not entities[alias.entity_id].women:
            by_name[norm(alias.text)].add(alias.entity_id)
    by_name.update(canonical)  # the canonical name wins ("Lyon" is a place alias, still Lyon's name)
    teams: dict[str, str] = {}
    for team_id, (parent, where) in parents.items():
        found = by_name.get(norm(parent), set())
        if len(found) != 1:
            why = "ambiguous" if found else "not a men's club in seeds/clubs"
            problems.append(f"{where} ({entities[team_id].name}): parent {parent!r} is {why}")
            continue
        parent_id = next(iter(found))
        if parent_id in teams:
            problems.append(
                f"{where} ({entities[team_id].name}): {parent!r} already has a women's team "
                f"({entities[teams[parent_id]].name})"
            )
            continue
        teams[parent_id] = team_id
        entities[team_id] = replace(entities[team_id], parent_id=parent_id)
    return list(entities.values())


def _club_index(clubs: list[Entity], aliases: list[Alias]) -> dict[str, list[str]]:
    """Map folded club names to club ids, for resolving the `club` column of player rows."""
    index: dict[str, list[str]] = defaultdict(list)
    for club in clubs:
        index[norm(club.name)].append(club.id)
    for alias in aliases:
        if alias.kind in _STRONGISH and alias.entity_id not in index[norm(alias.text)]:
            index[norm(alias.text)].append(alias.entity_id)
    return index


def _load_players(
    files: Iterable[Path], club_index: dict[str, list[str]], women_clubs: set[str], problems: list[str]
) -> tuple[list[Entity], list[Alias]]:
    """Players from CSV; a ``women-*.csv`` file holds women's players, each at a women's club."""
    entities: dict[str, Entity] = {}
    aliases: list[Alias] = []
    for path in files:
        for line, row in _read_rows(path, problems):
            where = f"{_shown(path)}:{line}"
            name = (row.get("name") or "").strip()
            if not name or len(name) > MAX_NAME:
                problems.append(f"{where}: {f'name longer than {MAX_NAME} characters' if name else 'missing name'}")
                continue
            club_name = (row.get("club") or "").strip()
            club_ids = club_index.get(norm(club_name), []) if club_name else []
            if club_name and len(club_ids) != 1:
                problems.append(f"{where}: club {club_name!r} is {'ambiguous' if club_ids else 'unknown'}")
            club_id = club_ids[0] if len(club_ids) == 1 else None
            women_file = path.name.startswith("women-")
            if club_id is not None and (club_id in women_clubs) != women_file:
                problems.append(
                    f"{where}: {club_name!r} is a {'women' if club_id in women_clubs else 'men'}'s club; "
                    f"{'women' if club_id in women_clubs else 'men'}'s players belong in "
                    f"{'a women-*.csv file' if club_id in women_clubs else 'a file not named women-*.csv'}"
                )
            position = (row.get("position") or "").strip().upper() or None
            if position is not None and position not in POSITIONS:
                problems.append(f"{where}: position {position!r} is not one of GK, DF, MF, FW")
            entity_id = f"player:{slug(name)}"
            if entity_id in entities:
                twin = entities[entity_id]
                nationality = (row.get("nationality") or "").strip() or None
                if (twin.country, twin.position) == (nationality, position):
                    # Same name, nationality and position: almost surely one player listed twice.
                    problems.append(f"{where}: {name!r} looks listed twice (also at {twin.club_id}); keep one row")
                # Two players with the same name: tell them apart by club in the id.
                entity_id = f"{entity_id}-{slug(club_name) or line}"
                if entity_id in entities:
                    problems.append(f"{where}: duplicate player {name!r}")
                    continue
            entities[entity_id] = Entity(
                id=entity_id,
                kind=EntityKind.PLAYER,
                name=name,
                club_id=club_id,
                country=(row.get("nationality") or "").strip() or None,
                position=position,
                as_of=(row.get("as_of") or "").strip() or None,
                women=women_file,
            )
            aliases.extend(_player_aliases(name, entity_id, row.get("aliases") or ""))
    return list(entities.values()), aliases


def _player_aliases(name: str, entity_id: str, written: str) -> list[Alias]:
    """The full name (strong) and the ``|``-separated aliases; ``~alias`` is context-only."""
    seen = {norm(name)}
    aliases = [Alias(name, entity_id, AliasKind.STRONG)]
    for raw in written.split("|"):
        text = raw.strip()
        kind = AliasKind.STRONG
        if text.startswith("~"):
            text, kind = text[1:].strip(), AliasKind.CONTEXT
        if len(norm(text)) < 2 or norm(text) in seen:
            continue
        seen.add(norm(text))
        aliases.append(Alias(text, entity_id, kind))
    return aliases


def _load_people(path: Path, problems: list[str]) -> list[Person]:
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{_shown(path)}: cannot read ({exc})")
        return []
    people = []
    lines = table_lines(text, "person")
    for i, person in enumerate(data.get("person", [])):
        where = f"{_shown(path)}:{lines[i] if i < len(lines) else '?'}: person #{i + 1}"
        name = person.get("name") if isinstance(person, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: missing name")
            continue
        extra = _as_list(person.get("aliases"), f"{where} ({name})", problems)
        people.append(Person(name, str(person.get("role", "other")), tuple(dict.fromkeys([name, *extra]))))
    return people


def _read_rows(path: Path, problems: list[str]) -> list[tuple[int, dict[str, str]]]:
    """A player CSV's rows, each with the line it starts on (a quoted field may span lines); problems if unreadable."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            start = 2
            try:
                for row in reader:
                    rows.append((start, row))
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise csv.Error(f"line {reader.line_num}: {exc}") from exc
            header = list(reader.fieldnames or [])
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        problems.append(f"{_shown(path)}: cannot read ({exc})")
        return []
    if "name" not in header or "club" not in header:
        problems.append(f"{_shown(path)}:1: the header must name the columns {','.join(PLAYER_COLUMNS)}")
        return []
    return rows


def _shown(path: Path) -> str:
    """A seed file as problems name it: its folder and name ("players/serie-a.csv")."""
    return f"{path.parent.name}/{path.name}" if path.parent.name in ("clubs", "players") else path.name


def _load_words(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(norm(line) for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _downgrade_shared(
    aliases: list[Alias],
    trusted: tuple[AliasKind, ...],
    weaker: AliasKind,
    collisions: list[Collision],
    women: set[str],
    *,
    trusted_by_several: bool = False,
) -> list[Alias]:
    """An alias that several entities share cannot identify any of them alone: make it weaker for all.

    Only entities on the same side (men's or women's football, ``women`` holds the women's ids) count:
    across sides, the sentence's context decides. With ``trusted_by_several``, only aliases that two or
    more entities hold as trusted kinds count.
    """
    owners: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for alias in aliases:
        if not trusted_by_several or alias.kind in trusted:
            owners[norm(alias.text), alias.entity_id in women].add(alias.entity_id)
    out = []
    for alias in aliases:
        shared_by = owners[norm(alias.text), alias.entity_id in women]
        if len(shared_by) > 1 and alias.kind in trusted:
            collisions.append(Collision(alias.text, tuple(sorted(shared_by)), f"{alias.kind} -> {weaker}"))
            alias = Alias(alias.text, alias.entity_id, weaker)
        out.append(alias)
    return out


def _downgrade_words(
    aliases: list[Alias],
    taken: dict[bool, set[str]],
    women: set[str],
    common_words: frozenset[str],
    collisions: list[Collision],
) -> list[Alias]:
    """A player alias that is a club's name, a non-player's name or a common word needs context.

    ``taken`` holds the names a men's (False) and a women's (True) player's alias must not be.
    """
    out = []
    for alias in aliases:
        folded = norm(alias.text)
        if alias.kind is AliasKind.STRONG and (folded in taken[alias.entity_id in women] or folded in common_words):
            why = "common word" if folded in common_words else "also a club or non-player name"
            collisions.append(Collision(alias.text, (alias.entity_id,), f"strong -> context ({why})"))
            alias = Alias(alias.text, alias.entity_id, AliasKind.CONTEXT)
        out.append(alias)
    return out
