"""`mercato catalogue import`: plan the diff a file makes to the catalogue. Pure: catalogue + rows in, plan out.

Two layouts:

- the catalogue's own CSV (the seed columns): every row is a player at a catalogued club; known
  players move and gain aliases, unknown ones are added. A row naming an unknown or ambiguous club
  refuses the whole file.
- transfermarkt-datasets (``players.csv`` + ``clubs.csv``): a snapshot of whole squads. Its clubs are
  mapped to catalogue clubs by name and alias (legal words such as "Football Club" set aside); the
  squads of mapped clubs are the truth for those clubs: players moved, new players, players gone
  (no longer in a mapped squad: their club is cleared), and every alias they had kept. Clubs that
  map to nothing are listed, with their players left out.

The plan is applied in one transaction (``bot.storage.imports``) or, with ``--dry-run``, only printed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from bot.catalogue.csvfiles import FileProblems, OwnRow, TmClub, TmPlayer
from bot.catalogue.model import Catalogue
from bot.catalogue.normalize import norm, slug
from bot.catalogue.provisional import provisional_id
from bot.errors import InvalidInput
from bot.models import Alias, AliasKind, Entity, EntityKind

# Words of a club's legal name that the catalogue's names leave out ("Tottenham Hotspur Football Club").
_LEGAL = re.compile(
    r"\b(?:football\s+club|fussball\s*club|futbol\s+club|associazione\s+(?:calcio|sportiva)|"
    r"societa\s+sportiva(?:\s+calcio)?|"
    r"sport\s+lisboa\s+e|association\s+sportive|club\s+de\s+futbol|club\s+atletico|sociedad\s+anonima\s+deportiva|"
    r"s\s*a\s*d|s\s*p\s*a|s\s*r\s*l|e\s*v|g\s*m\s*b\s*h|k\s*g\s*a\s*a|plc|ltd|fc|cf|afc|sc|ac|as|ssc|us|"
    r"calcio|club|ud|cd|sd|rc|rcd|fk|sk|nk|if|bk)\b|\(.*?\)|\b\d{4}\b"
)
_PUNCT = re.compile(r"[^a-z0-9 ]")


@dataclass(frozen=True, slots=True)
class NewPlayer:
    """A player the catalogue lacks (or a provisional one the file confirms)."""

    entity: Entity
    aliases: tuple[Alias, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ClubChange:
    """A known player at another club (``to_club_id`` None: gone from every mapped squad)."""

    player: Entity
    to_club_id: str | None
    as_of: str
    line: int | None
    why: str = ""


@dataclass(frozen=True, slots=True)
class NewAlias:
    """Another name for a known player."""

    alias: Alias
    line: int


@dataclass(slots=True)
class ImportPlan:
    """The reviewed diff of one import."""

    source: str
    layout: str  # "catalogue CSV" or "transfermarkt-datasets"
    new: list[NewPlayer] = field(default_factory=list)
    moved: list[ClubChange] = field(default_factory=list)
    gone: list[ClubChange] = field(default_factory=list)
    aliases: list[NewAlias] = field(default_factory=list)
    kept_aliases: int = 0  # the aliases moved and gone players keep
    unchanged: int = 0
    unmapped_clubs: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    relinked: int = 0  # free-text follows re-linked when applied

    @property
    def empty(self) -> bool:
        """True when applying would change nothing."""
        return not (self.new or self.moved or self.gone or self.aliases)

    def summary(self) -> str:
        """One line of counts."""
        return (f"{len(self.moved)} moved, {len(self.new)} new, {len(self.gone)} gone, "
                f"{len(self.aliases)} alias(es) added, {self.kept_aliases} alias(es) kept, {self.unchanged} unchanged")

    def render(self, catalogue: Catalogue, *, limit: int | None = 20) -> str:
        """The diff for the operator: counts, then each section (``limit`` lines each; None for all)."""
        def club(club_id: str | None) -> str:
            entity = catalogue.find(club_id) if club_id else None
            return entity.name if entity else "no club"

        def at(line: int | None) -> str:
            return f" (line {line})" if line else ""

        sections = [
            ("Players moved", [f"{c.player.name}: {club(c.player.club_id)} -> {club(c.to_club_id)}{at(c.line)}"
                               for c in self.moved]),
            ("New players", [f"{n.entity.name} at {club(n.entity.club_id)}{at(n.line)}" for n in self.new]),
            ("Players gone (their club is cleared)", [f"{c.player.name} ({club(c.player.club_id)}): {c.why}{at(c.line)}"
                                                      for c in self.gone]),
            ("Aliases added", [f"“{a.alias.text}” for {catalogue.get(a.alias.entity_id).name}{at(a.line)}"
                               for a in self.aliases if a.alias.entity_id in catalogue.entities]),
            ("Clubs the catalogue does not hold (their players are left out; `add-alias` maps one)",
             self.unmapped_clubs),
            ("Rows left out", self.skipped),
        ]
        lines = [f"Import of {self.source} ({self.layout}): {self.summary()}"]
        for title, entries in sections:
            if not entries:
                continue
            lines.append(f"{title}: {len(entries)}")
            shown = entries if limit is None else entries[:limit]
            lines.extend(f"  {entry}" for entry in shown)
            if len(shown) < len(entries):
                lines.append(f"  … and {len(entries) - len(shown)} more (--full lists them all)")
        return "\n".join(lines)


class _Index:
    """Lookups the planner needs, built once per import (a file may hold tens of thousands of rows)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.aliases_of: dict[str, list[Alias]] = defaultdict(list)
        for alias in catalogue.aliases:
            self.aliases_of[alias.entity_id].append(alias)
        self.taken_ids = set(catalogue.entities)
        self._clubs: dict[str, Entity | None] = {}
        self.by_surname: dict[tuple[str | None, str], list[Entity]] = defaultdict(list)
        for player in catalogue.players():
            self.by_surname[(player.club_id, surname(player.name))].append(player)

    def players_named(self, name: str) -> list[Entity]:
        """Players whose full name (or a strong alias) is ``name``, hyphens read as spaces."""
        found: dict[str, Entity] = {}
        key = norm(name)
        for variant in dict.fromkeys((key, key.replace("-", " "))):
            for alias in self.catalogue.aliases_for(variant):
                entity = self.catalogue.find(alias.entity_id)
                if entity is None or entity.kind is not EntityKind.PLAYER:
                    continue
                if alias.kind is AliasKind.STRONG or norm(entity.name).replace("-", " ") == key.replace("-", " "):
                    found.setdefault(entity.id, entity)
        return list(found.values())

    def club(self, text: str) -> Entity | None:
        """The one club ``text`` names (id, name or alias), or None (a file names a few hundred clubs, often)."""
        if text not in self._clubs:
            self._clubs[text] = self._club(text)
        return self._clubs[text]

    def _club(self, text: str) -> Entity | None:
        entity = self.catalogue.find(text)
        if entity is not None and entity.kind is EntityKind.CLUB:
            return entity
        hits = self.catalogue.resolve(text, EntityKind.CLUB)
        exact = [e for e in hits if norm(e.name) == norm(text)]
        return (exact or hits)[0] if len(exact) == 1 or len(hits) == 1 else None

    def club_name(self, club_id: str | None) -> str:
        """A club's name, for messages."""
        club = self.catalogue.find(club_id) if club_id else None
        return club.name if club else "no club"

    def new_id(self, name: str, club: Entity | None) -> str:
        """A free id for a new player: his slug, told apart from a namesake by club."""
        entity_id = provisional_id(name)
        if entity_id in self.taken_ids:
            entity_id = f"{entity_id}-{slug(club.name) if club else 'x'}"
        n = 2
        while entity_id in self.taken_ids:
            entity_id, n = f"{provisional_id(name)}-{n}", n + 1
        self.taken_ids.add(entity_id)
        return entity_id


def surname(name: str) -> str:
    """The last word of a folded name."""
    words = norm(name).split()
    return words[-1] if words else ""


def _aliases(entity: Entity, raw: tuple[str, ...], known: set[str]) -> list[Alias]:
    """``raw`` ("~Kane" is context-only) as aliases of ``entity``, skipping names it already has."""
    out = []
    for text in raw:
        kind = AliasKind.STRONG
        if text.startswith("~"):
            text, kind = text[1:].strip(), AliasKind.CONTEXT
        if len(norm(text)) >= 2 and norm(text) not in known:
            known.add(norm(text))
            out.append(Alias(text, entity.id, kind))
    return out


def plan_own(
    catalogue: Catalogue, rows: list[OwnRow], *, source: str, today: str, problems: list[str] | None = None
) -> ImportPlan:
    """The diff of a catalogue-layout CSV; FileProblems (line, column) for an unknown club or a name clash.

    ``problems`` are those reading found: they are reported together with the planner's own.
    """
    plan = ImportPlan(source, "catalogue CSV")
    index = _Index(catalogue)
    problems = list(problems or [])
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        club = index.club(row.club)
        if club is None:
            near = catalogue.search(row.club, kind=EntityKind.CLUB, limit=1)
            hint = f"; did you mean {near[0].name}?" if near else ""
            why = "names several clubs" if catalogue.resolve(row.club, EntityKind.CLUB) else "is not in the catalogue"
            problems.append(f"{source}:{row.line}, column club: {row.club!r} {why}{hint}")
            continue
        key = (norm(row.name).replace("-", " "), club.id)
        if key in seen:
            problems.append(f"{source}:{row.line}, column name: {row.name} at {club.name} is also on line {seen[key]}")
            continue
        seen[key] = row.line
        try:
            _plan_own_row(plan, index, row, club, today)
        except InvalidInput as exc:
            problems.append(f"{source}:{row.line}, column name: {exc}")
    if problems:
        raise FileProblems(sorted(problems, key=_line_of))
    return plan


def _line_of(problem: str) -> int:
    """The line number in "file.csv:12, column …" (problems are reported in file order)."""
    found = re.search(r":(\d+)[,:]", problem)
    return int(found.group(1)) if found else 0


def _plan_own_row(plan: ImportPlan, index: _Index, row: OwnRow, club: Entity, today: str) -> None:
    named = index.players_named(row.name)
    regular = [e for e in named if not e.provisional]
    player = next((e for e in regular if e.club_id == club.id), None)
    if player is None and len(regular) == 1:
        player = regular[0]
    if player is None and regular:
        options = ", ".join(f"{e.id} ({index.club_name(e.club_id)})" for e in regular[:4])
        raise InvalidInput(f"{row.name} could be {options}: move him with `mercato catalogue move-player ID CLUB` "
                           "and leave him out of the file")
    if player is None:
        provisional = next((e for e in named if e.provisional), None)
        entity = Entity(
            id=provisional.id if provisional else index.new_id(row.name, club), kind=EntityKind.PLAYER,
            name=row.name, club_id=club.id, country=row.nationality, position=row.position, as_of=row.as_of or today,
        )
        aliases = [Alias(entity.name, entity.id, AliasKind.STRONG), *_aliases(entity, row.aliases, {norm(row.name)})]
        plan.new.append(NewPlayer(entity, tuple(aliases), row.line))
        return
    known = {norm(a.text) for a in index.aliases_of[player.id]}
    added = _aliases(player, row.aliases, known)
    plan.aliases.extend(NewAlias(a, row.line) for a in added)
    if player.club_id != club.id:
        plan.moved.append(ClubChange(player, club.id, row.as_of or today, row.line))
        plan.kept_aliases += len(index.aliases_of[player.id])
    elif not added:
        plan.unchanged += 1


# ----------------------------------------------------------------------------- transfermarkt-datasets


def club_names(club: TmClub) -> list[str]:
    """The ways to look a transfermarkt club up: its name and its code, each also without legal words."""
    out: list[str] = []
    for text in (club.name, club.code.replace("-", " ")):
        folded = norm(text)
        bare = " ".join(_LEGAL.sub(" ", folded).split())  # "paris saint-germain football club" -> "paris saint-germain"
        plain = " ".join(_LEGAL.sub(" ", _PUNCT.sub(" ", folded)).split())  # "lazio s.p.a." -> "lazio"
        out.extend(t for t in (folded, bare, plain) if t and t not in out)
    return out


def map_clubs(catalogue: Catalogue, clubs: dict[int, TmClub]) -> dict[int, str]:
    """transfermarkt club id -> catalogue club id, for the clubs a name or alias identifies uniquely."""
    out = {}
    for club_id, club in clubs.items():
        for text in club_names(club):
            owners = {a.entity_id for a in catalogue.aliases_for(text)
                      if a.kind in (AliasKind.STRONG, AliasKind.PLACE)
                      and (e := catalogue.find(a.entity_id)) is not None and e.kind is EntityKind.CLUB}
            if len(owners) == 1:
                out[club_id] = owners.pop()
                break
    return out


def plan_transfermarkt(
    catalogue: Catalogue, players: list[TmPlayer], clubs: dict[int, TmClub], *, source: str, today: str
) -> ImportPlan:
    """The diff of a transfermarkt-datasets snapshot: mapped squads replace what the catalogue says of them."""
    plan = ImportPlan(source, "transfermarkt-datasets")
    index = _Index(catalogue)
    mapping = map_clubs(catalogue, clubs)
    season = max((p.last_season for p in players if p.last_season is not None), default=None)
    current = [p for p in players if season is None or p.last_season is None or p.last_season >= season]
    covered = set(mapping.values())
    unmapped: dict[int, int] = defaultdict(int)
    matched: dict[str, TmPlayer] = {}
    for row in current:
        club_id = mapping.get(row.club_id) if row.club_id is not None else None
        if club_id is None and row.club_id in clubs:
            unmapped[row.club_id] += 1
        named = [e for e in index.players_named(row.name) if e.id not in matched]
        player = next((e for e in named if e.club_id == club_id), None) or (named[0] if len(named) == 1 else None)
        if player is None and len(named) > 1:
            plan.skipped.append(f"line {row.line}: {row.name} could be {', '.join(e.id for e in named[:4])}")
            continue
        if player is None and club_id is not None:
            player = _same_surname(index, row, club_id, matched)
            if player is not None:
                plan.aliases.append(NewAlias(Alias(row.name, player.id, AliasKind.STRONG), row.line))
        if player is not None:
            matched[player.id] = row
            _plan_known(plan, index, player, row, club_id, clubs, covered, today)
        elif club_id is not None:
            club = catalogue.get(club_id)
            entity = Entity(index.new_id(row.name, club), EntityKind.PLAYER, row.name, club_id=club_id,
                            country=row.nationality, position=row.position, as_of=today)
            plan.new.append(NewPlayer(entity, (Alias(row.name, entity.id, AliasKind.STRONG),), row.line))
    for player in catalogue.players():
        if player.club_id in covered and player.id not in matched and not player.provisional:
            plan.gone.append(ClubChange(player, None, today, None, "not in the file's squad"))
            plan.kept_aliases += len(index.aliases_of[player.id])
    plan.unmapped_clubs = [f"{clubs[c].name} (club_id {c}, {n} player(s))"
                           for c, n in sorted(unmapped.items(), key=lambda kv: (-kv[1], clubs[kv[0]].name))]
    return plan


def _plan_known(
    plan: ImportPlan, index: _Index, player: Entity, row: TmPlayer, club_id: str | None, clubs: dict[int, TmClub],
    covered: set[str], today: str,
) -> None:
    if club_id == player.club_id:
        plan.unchanged += 1
        return
    if club_id is None and player.club_id not in covered:
        plan.unchanged += 1  # neither his club nor the file's is one the file speaks for: nothing to say
        return
    if club_id is None:
        where = clubs[row.club_id].name if row.club_id in clubs else "a club outside the file"
        plan.gone.append(ClubChange(player, None, today, row.line, f"now at {where}"))
    else:
        plan.moved.append(ClubChange(player, club_id, today, row.line))
    plan.kept_aliases += len(index.aliases_of[player.id])


def _same_surname(index: _Index, row: TmPlayer, club_id: str, matched: dict[str, TmPlayer]) -> Entity | None:
    """A squad player the file spells differently ("Vini Jr." / "Vinícius Júnior"): same club, same surname."""
    last = surname(row.name)
    same = [p for p in index.by_surname.get((club_id, last), []) if p.id not in matched] if len(last) >= 3 else []
    return same[0] if len(same) == 1 else None
