"""Catalogue CSV files an operator reads and writes: the catalogue's own layout (the seed columns) and the
layout of transfermarkt-datasets (``players.csv`` + ``clubs.csv``), and the export.

Reading is strict: every problem is collected with its file, line and column and the whole file is
refused (:class:`FileProblems`), so that an import is never half done. Writing escapes cells a
spreadsheet would run as a formula (``= + - @``, tab, carriage return) with a leading apostrophe,
which reading takes off again, so an export round-trips.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.catalogue.normalize import norm
from bot.catalogue.seeds import MAX_NAME, PLAYER_COLUMNS, POSITIONS
from bot.errors import InvalidInput

MAX_PROBLEMS_SHOWN = 20
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# transfermarkt-datasets' `position` values (players.csv) in the catalogue's terms.
TM_POSITIONS = {"goalkeeper": "GK", "defender": "DF", "midfield": "MF", "attack": "FW"}
TM_PLAYER_COLUMNS = ("player_id", "name", "current_club_id")
TM_CLUB_COLUMNS = ("club_id", "name")


class FileProblems(InvalidInput):
    """A file refused as a whole: one line per problem (file:line, column), at most 20 shown."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = [f"  - {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"  … and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        super().__init__(
            f"Nothing was imported: {len(self.problems)} problem(s) in the file. Fix them and run the import again:\n"
            + "\n".join(shown)
        )


def clean_name(raw: str, what: str = "A name") -> str:
    """Collapse whitespace and check the length: at least two letters, at most MAX_NAME characters."""
    text = " ".join(raw.split())
    if len(text) > MAX_NAME:
        raise InvalidInput(f"{what} is {len(text)} characters long; at most {MAX_NAME} are allowed.")
    if len(norm(text).replace(" ", "")) < 2:
        raise InvalidInput(f"{what} needs at least two letters.")
    return text


def escape_cell(text: str) -> str:
    """Make a cell safe to open in a spreadsheet: a leading formula character gets an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell` (only an apostrophe that protects a formula character is taken off)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def write_players(path: Path, rows: Sequence[Mapping[str, str]]) -> None:
    """Write rows with the seed columns, every cell escaped."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PLAYER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: escape_cell(v) for k, v in row.items()} for row in rows)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class OwnRow:
    """One row of the catalogue's own layout, checked (the club is still text, resolved by the planner)."""

    line: int
    name: str
    club: str
    aliases: tuple[str, ...]  # as written: "~Kane" is context-only
    position: str | None
    nationality: str | None
    as_of: str | None


@dataclass(frozen=True, slots=True)
class TmPlayer:
    """One row of transfermarkt-datasets' players.csv."""

    line: int
    name: str
    club_id: int | None  # current_club_id (None when empty)
    position: str | None
    nationality: str | None
    last_season: int | None


@dataclass(frozen=True, slots=True)
class TmClub:
    """One row of transfermarkt-datasets' clubs.csv."""

    line: int
    club_id: int
    name: str
    code: str


def is_transfermarkt(path: Path) -> bool:
    """True for a transfermarkt-datasets players.csv (or a folder holding one)."""
    if path.is_dir():
        return True
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"Cannot read {path}: {exc}") from exc
    return all(column in header for column in TM_PLAYER_COLUMNS)


def _rows(path: Path, required: Sequence[str], problems: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each CSV row; missing columns and unreadable files become problems."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                problems.append(f"{path.name}:1: missing column(s) {', '.join(missing)} (the header has "
                                f"{', '.join(header) or 'nothing'})")
                return
            start = 2
            for row in reader:
                yield start, {k: unescape_cell(v or "") for k, v in row.items() if k is not None}
                start = reader.line_num + 1
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name}: cannot read ({exc})")
    except csv.Error as exc:
        problems.append(f"{path.name}: not a readable CSV file ({exc})")


def _name(raw: str, where: str, column: str, problems: list[str], *, required: bool = True) -> str | None:
    if not raw.strip():
        if required:
            problems.append(f"{where}, column {column}: empty")
        return None
    try:
        return clean_name(raw, f"The {column}")
    except InvalidInput as exc:
        problems.append(f"{where}, column {column}: {exc}")
        return None


def read_own(path: Path) -> tuple[list[OwnRow], list[str]]:
    """Read a CSV with the seed columns (name and club required): its good rows, and a problem per bad cell.

    The caller adds what it finds (unknown clubs) and refuses the file if there is any problem at all.
    """
    problems: list[str] = []
    rows = []
    for line, row in _rows(path, ("name", "club"), problems):
        where = f"{path.name}:{line}"
        name = _name(row.get("name", ""), where, "name", problems)
        club = _name(row.get("club", ""), where, "club", problems)
        aliases = []
        for raw in (row.get("aliases") or "").split("|"):
            text = raw.strip().removeprefix("~").strip()
            if text and _name(text, where, "aliases", problems) is not None:
                aliases.append(raw.strip())
        position = (row.get("position") or "").strip().upper() or None
        if position is not None and position not in POSITIONS:
            problems.append(f"{where}, column position: {position!r} is not one of {', '.join(sorted(POSITIONS))}")
        nationality = _name(row.get("nationality") or "", where, "nationality", problems, required=False)
        as_of = (row.get("as_of") or "").strip() or None
        if as_of is not None and not _is_date(as_of):
            problems.append(f"{where}, column as_of: {as_of!r} is not a date like 2026-01-31")
        if name and club:
            rows.append(OwnRow(line, name, club, tuple(aliases), position, nationality, as_of))
    return rows, problems


def read_transfermarkt(players_path: Path, clubs_path: Path) -> tuple[list[TmPlayer], dict[int, TmClub]]:
    """Read transfermarkt-datasets' players.csv and clubs.csv; FileProblems lists every bad cell of both."""
    problems: list[str] = []
    clubs: dict[int, TmClub] = {}
    for line, row in _rows(clubs_path, TM_CLUB_COLUMNS, problems):
        where = f"{clubs_path.name}:{line}"
        club_id = _integer(row.get("club_id", ""), where, "club_id", problems)
        name = _name(row.get("name", ""), where, "name", problems)
        if club_id is not None and club_id in clubs:
            problems.append(f"{where}, column club_id: {club_id} is also on line {clubs[club_id].line}")
        elif club_id is not None and name is not None:
            clubs[club_id] = TmClub(line, club_id, name, (row.get("club_code") or "").strip())
    players = []
    seen: dict[int, int] = {}
    for line, row in _rows(players_path, TM_PLAYER_COLUMNS, problems):
        where = f"{players_path.name}:{line}"
        player_id = _integer(row.get("player_id", ""), where, "player_id", problems)
        if player_id is not None and player_id in seen:
            problems.append(f"{where}, column player_id: {player_id} is also on line {seen[player_id]}")
        seen.setdefault(player_id or 0, line)
        name = _name(row.get("name", ""), where, "name", problems)
        raw_club = (row.get("current_club_id") or "").strip()
        club_id = _integer(raw_club, where, "current_club_id", problems) if raw_club else None
        raw_season = (row.get("last_season") or "").strip()
        season = _integer(raw_season, where, "last_season", problems) if raw_season else None
        nationality = _name(row.get("country_of_citizenship") or "", where, "country_of_citizenship", problems,
                            required=False)
        position = TM_POSITIONS.get((row.get("position") or "").strip().lower())
        if name is not None:
            players.append(TmPlayer(line, name, club_id, position, nationality, season))
    if problems:
        raise FileProblems(problems)
    return players, clubs


def _integer(raw: str, where: str, column: str, problems: list[str]) -> int | None:
    text = raw.strip()
    if text.endswith(".0"):
        text = text[:-2]  # pandas writes integer columns with gaps as floats ("5.0")
    if not re.fullmatch(r"\d{1,12}", text):
        problems.append(f"{where}, column {column}: {raw.strip()!r} is not a whole number")
        return None
    return int(text)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
