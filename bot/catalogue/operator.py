"""The operator's catalogue use-cases (`mercato catalogue …`) and the database layer merged at start-up.

Operator changes are stored in the database (``bot.storage.entities``), never in the seed files, so
that a seed update does not undo them: players added here have ``entities.source = 'operator'``; an
alias or a club move of a *seed* player is kept in its own table and re-applied after each seed sync.
``merge_layer`` folds all of it, plus provisional players, into the seed catalogue with the same
alias-trust rules as the seed loader (a shared alias or a common word never names a player alone).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.catalogue.csvfiles import clean_name, is_transfermarkt, read_own, read_transfermarkt, write_players
from bot.catalogue.importer import ImportPlan, plan_own, plan_transfermarkt
from bot.catalogue.layer import merge_layer
from bot.catalogue.model import Catalogue
from bot.catalogue.normalize import norm, slug
from bot.catalogue.provisional import provisional_id
from bot.catalogue.seeds import POSITIONS
from bot.catalogue.tracker import mark_promoted
from bot.errors import InvalidInput, NotFound
from bot.models import Alias, AliasKind, Entity, EntityKind
from bot.storage.moves import NewMove

if TYPE_CHECKING:
    from bot.storage import Storage

PROMOTE_AFTER_FEEDS = 2  # distinct feeds that must report a provisional player before he is a regular one
_REVIEW_TITLE = (
    "To review (single-word player aliases that stored news uses as ordinary words; "
    "add them to seeds/common_words.txt or mark them ~context)"
)
_LOOKALIKE_MIN_ITEMS = 2  # stored items that use an alias as a lower-case word before `check` flags it
_WORD = re.compile(r"[^\W\d_]+")


def load_common_words(path: Path) -> frozenset[str]:
    """Read ``seeds/common_words.txt``: one folded word a line, ``#`` comments."""
    if not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(norm(line) for line in lines if line.strip() and not line.lstrip().startswith("#"))


# ----------------------------------------------------------------------------- merging


async def load_database_layer(
    storage: Storage, base: Catalogue, *, common_words: frozenset[str], now: datetime
) -> Catalogue:
    """After the seed sync: re-apply operator changes, promote who qualifies, and merge the layer into ``base``."""
    await storage.entities.reapply()
    # Follows made while the bot was down (or since the last sighting) count at start-up too.
    promoted = await storage.entities.promote_eligible(min_feeds=PROMOTE_AFTER_FEEDS, now=now)
    layer = await storage.entities.layer()
    if not (layer.entities or layer.aliases or layer.operator_aliases or layer.moves):
        return base  # nothing to add: callers may keep a matcher already built for ``base``
    merged = merge_layer(base, layer, common_words=common_words)
    mark_promoted(merged, promoted)
    return merged


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Change:
    """What one operator command did, for the CLI to print."""

    entity: Entity
    message: str
    relinked: int = 0  # free-text follows that became follows of this entity
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class CheckReport:
    """`catalogue check`: problems make the exit status 1; review items do too with ``strict``."""

    problems: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    def failed(self, *, strict: bool = False) -> bool:
        """True if anything needs the operator's attention."""
        return bool(self.problems) or (strict and bool(self.review))

    def render(self, *, verbose: bool = False, limit: int = 15) -> str:
        """A readable report: problems in full, review items in full, explained items summarised."""
        lines = [", ".join(f"{v} {k}" for k, v in self.summary.items())]
        for title, entries, always in (
            ("Problems (fix these)", self.problems, True),
            (_REVIEW_TITLE, self.review, True),
            ("Explained (collisions the loader resolved by downgrading the alias)", self.explained, verbose),
        ):
            lines.append(f"{title}: {len(entries) or 'none'}")
            shown = entries if always or verbose else entries[:limit]
            lines.extend(f"  - {entry}" for entry in shown)
            if len(shown) < len(entries):
                lines.append(f"  … and {len(entries) - len(shown)} more (--verbose lists them all)")
        lines.append("OK" if not self.problems else f"{len(self.problems)} problem(s)")
        return "\n".join(lines)


# ----------------------------------------------------------------------------- use-cases


class CatalogueOperator:
    """Add players and aliases, record transfers, import/export, stats and check, against one database."""

    def __init__(
        self, storage: Storage, base: Catalogue, catalogue: Catalogue, *, common_words: frozenset[str]
    ) -> None:
        self.storage = storage
        self.base = base  # the seed catalogue, to re-merge after each change
        self.catalogue = catalogue  # seeds + database layer
        self.common_words = common_words

    @classmethod
    async def open(cls, storage: Storage, base: Catalogue, seeds_dir: Path, *, now: datetime) -> CatalogueOperator:
        """Sync the seeds into ``storage`` and merge its layer: the catalogue the bot would start with."""
        common_words = load_common_words(seeds_dir / "common_words.txt")
        await storage.catalogue.sync(base)
        merged = await load_database_layer(storage, base, common_words=common_words, now=now)
        return cls(storage, base, merged, common_words=common_words)

    async def refresh(self) -> None:
        """Re-read the database layer after a change."""
        layer = await self.storage.entities.layer()
        self.catalogue = merge_layer(self.base, layer, common_words=self.common_words)

    # ------------------------------------------------------------------ lookups

    def find(self, ref: str, kind: EntityKind | None = None) -> Entity:
        """The one entity ``ref`` means: an id, or a name/alias; NotFound or InvalidInput (ambiguous) otherwise."""
        what = kind.value if kind else "player or club"
        text = " ".join(ref.split())
        entity = self.catalogue.find(text)
        if entity is not None and (kind is None or entity.kind is kind):
            return entity
        hits = self.catalogue.resolve(text, kind)
        exact = [e for e in hits if norm(e.name) == norm(text)]
        if len(exact) == 1 or len(hits) == 1:
            return (exact or hits)[0]
        if hits:
            options = ", ".join(f"{e.name} ({e.id})" for e in hits[:6])
            raise InvalidInput(f"“{text}” could be {options}; give the id instead.")
        near = self.catalogue.search(text, kind=kind, limit=3)
        hint = f" Did you mean {', '.join(f'{e.name} ({e.id})' for e in near)}?" if near else ""
        raise NotFound(f"No {what} called “{text}” in the catalogue.{hint}")

    def _club_name(self, club_id: str | None) -> str:
        club = self.catalogue.find(club_id) if club_id else None
        return club.name if club else "no club"

    # ------------------------------------------------------------------ commands

    async def add_player(
        self,
        name: str,
        *,
        club: str,
        aliases: list[str] | None = None,
        position: str | None = None,
        nationality: str | None = None,
        as_of: str | None = None,
        now: datetime,
    ) -> Change:
        """Add a player (or confirm a provisional one) at ``club``; term follows of his names are re-linked."""
        name = clean_name(name, "A player's name")
        extra = [clean_name(a, "An alias") for a in aliases or []]
        club_entity = self.find(club, EntityKind.CLUB)
        position = position.strip().upper() if position else None
        if position is not None and position not in POSITIONS:
            raise InvalidInput(f"Position {position!r} is not one of {', '.join(sorted(POSITIONS))}.")
        # "Declan-Rice" is the matcher's "Declan Rice": compare names with hyphens as spaces.
        spaced = norm(name).replace("-", " ")
        existing = [
            e for variant in dict.fromkeys((name, spaced)) for e in self.catalogue.resolve(variant, EntityKind.PLAYER)
            if norm(e.name).replace("-", " ") == spaced
        ]
        regular = [e for e in existing if not e.provisional]
        if regular:
            known = regular[0]
            raise InvalidInput(
                f"{known.name} ({known.id}, {self._club_name(known.club_id)}) is already in the catalogue; "
                "use `mercato catalogue move-player` for a transfer or `add-alias` for another name."
            )
        entity_id = existing[0].id if existing else provisional_id(name)
        if not existing and entity_id in self.catalogue.entities:
            # A namesake with the same slug: tell them apart by club, as the seed loader does.
            entity_id = f"{entity_id}-{slug(club_entity.name)}"
            if entity_id in self.catalogue.entities:
                raise InvalidInput(f"{entity_id} already exists; the catalogue cannot hold a third {name} there.")
        entity = Entity(
            id=entity_id,
            kind=EntityKind.PLAYER,
            name=name,
            club_id=club_entity.id,
            country=(nationality or "").strip() or None,
            position=position,
            as_of=as_of or now.date().isoformat(),
        )
        stored = self._player_aliases(entity, extra)
        relinked = await self.storage.entities.save_player(entity, stored)
        await self.refresh()
        verb = "Confirmed provisional player" if existing else "Added"
        return Change(
            self.catalogue.get(entity.id),
            f"{verb} {name} ({entity.id}) at {club_entity.name}.",
            relinked,
            self._downgrades(entity.id, [a.text for a in stored]),
        )

    @staticmethod
    def _player_aliases(entity: Entity, extra: list[str]) -> list[Alias]:
        out = [Alias(entity.name, entity.id, AliasKind.STRONG)]
        seen = {norm(entity.name)}
        for raw in extra:
            text, kind = raw.strip(), AliasKind.STRONG
            if text.startswith("~"):  # the seed files' mark for a context-only alias
                text, kind = text[1:].strip(), AliasKind.CONTEXT
            if len(norm(text)) >= 2 and norm(text) not in seen:
                seen.add(norm(text))
                out.append(Alias(text, entity.id, kind))
        return out

    def _downgrades(self, entity_id: str, texts: list[str]) -> tuple[str, ...]:
        """Warnings for aliases that ended up context/confirm-only (shared, common word)."""
        wanted = {norm(t) for t in texts}
        out = []
        for alias in self.catalogue.aliases_of(entity_id):
            if norm(alias.text) in wanted and alias.kind in (AliasKind.CONTEXT, AliasKind.CONFIRM):
                others = [a.entity_id for a in self.catalogue.aliases_for(norm(alias.text)) if a.entity_id != entity_id]
                why = f"also used by {', '.join(others[:3])}" if others else "a common word or non-player name"
                out.append(f"“{alias.text}” only counts with context ({why}).")
        return tuple(out)

    async def add_alias(self, ref: str, alias: str, *, context: bool = False, now: datetime) -> Change:
        """Give an entity another name; ``context`` makes it count only next to the full name or the club."""
        entity = self.find(ref)
        text = clean_name(alias, "An alias")
        kind = AliasKind.STRONG
        if context:
            kind = AliasKind.CONTEXT if entity.kind is EntityKind.PLAYER else AliasKind.CONFIRM
        current = [a for a in self.catalogue.aliases_of(entity.id) if norm(a.text) == norm(text)]
        if current and (current[0].kind is kind or not context):
            raise InvalidInput(f"“{text}” is already an alias of {entity.name} ({current[0].kind}).")
        relinked = await self.storage.entities.add_alias(Alias(text, entity.id, kind), now=now)
        await self.refresh()
        return Change(
            self.catalogue.get(entity.id),
            f"Added alias “{text}” to {entity.name} ({entity.id}).",
            relinked,
            self._downgrades(entity.id, [text]),
        )

    async def move_player(self, ref: str, club: str, *, as_of: str | None = None, now: datetime) -> Change:
        """Record a transfer: the player's club becomes ``club`` as of today (or ``as_of``)."""
        player = self.find(ref, EntityKind.PLAYER)
        club_entity = self.find(club, EntityKind.CLUB)
        if player.club_id == club_entity.id:
            raise InvalidInput(f"{player.name} is already at {club_entity.name}.")
        before = self._club_name(player.club_id)
        move = NewMove(player.id, club_entity.id, as_of or now.date().isoformat(), "operator", note="move-player")
        move_id, _ = await self.storage.moves.record(move, apply=True, now=now)
        await self.refresh()
        return Change(self.catalogue.get(player.id),
                      f"Moved {player.name} from {before} to {club_entity.name} (move #{move_id}).")

    async def import_file(
        self, path: Path, *, clubs: Path | None = None, dry_run: bool = False, now: datetime
    ) -> ImportPlan:
        """Plan the diff a file makes (own CSV or transfermarkt-datasets) and, unless ``dry_run``, apply it.

        A bad file raises FileProblems (file:line, column) before anything is written; the plan is
        applied in one transaction.
        """
        today = now.date().isoformat()
        if is_transfermarkt(path):
            players_path = path / "players.csv" if path.is_dir() else path
            clubs_path = clubs or players_path.with_name("clubs.csv")
            if not clubs_path.is_file():
                raise InvalidInput(f"{clubs_path} not found: a transfermarkt-datasets import needs clubs.csv "
                                   "next to players.csv (or give it with --clubs).")
            players, tm_clubs = await asyncio.to_thread(read_transfermarkt, players_path, clubs_path)
            plan = plan_transfermarkt(self.catalogue, players, tm_clubs, source=players_path.name, today=today)
        else:
            rows, problems = await asyncio.to_thread(read_own, path)
            plan = plan_own(self.catalogue, rows, source=path.name, today=today, problems=problems)
        if dry_run or plan.empty:
            return plan
        moves = [NewMove(c.player.id, c.to_club_id, c.as_of, "import", note=f"{plan.layout} import of {plan.source}")
                 for c in (*plan.moved, *plan.gone)]
        plan.relinked = await self.storage.imports.apply(
            players=[(n.entity, n.aliases) for n in plan.new], moves=moves,
            aliases=[a.alias for a in plan.aliases], now=now,
        )
        await self.refresh()
        return plan

    def export_rows(self) -> list[dict[str, str]]:
        """Every regular player in seed-file form (provisional ones are not confirmed, so not exported)."""
        rows = []
        for player in self.catalogue.players():
            if player.provisional:
                continue
            aliases = [
                ("~" if a.kind is AliasKind.CONTEXT else "") + a.text
                for a in self.catalogue.aliases_of(player.id)
                if norm(a.text) != norm(player.name)
            ]
            club = self.catalogue.club_of(player.id)
            rows.append({
                "name": player.name,
                "aliases": "|".join(dict.fromkeys(aliases)),
                "club": club.name if club else "",
                "position": player.position or "",
                "nationality": player.country or "",
                "as_of": player.as_of or "",
            })
        rows.sort(key=lambda r: (norm(r["club"]), norm(r["name"])))
        return rows

    def export_csv(self, path: Path) -> int:
        """Write every regular player to ``path`` with the seed columns (formula-safe); return how many."""
        rows = self.export_rows()
        write_players(path, rows)
        return len(rows)

    def stats(self) -> dict[str, int]:
        """Counts of clubs, regular players, aliases and provisional players."""
        players = self.catalogue.players()
        provisional = sum(1 for p in players if p.provisional)
        return {
            "clubs": len(self.catalogue.clubs()),
            "players": len(players) - provisional,
            "aliases": len(self.catalogue.aliases),
            "provisional": provisional,
        }

    async def check(self) -> CheckReport:
        """Duplicates, colliding aliases and common-word aliases, each either a problem or explained."""
        report = CheckReport(summary=self.stats())
        report.problems.extend(p if p.startswith("database:") else f"seeds: {p}" for p in self.catalogue.problems)
        report.problems.extend(self._duplicates())
        report.problems.extend(self._unresolved_collisions())
        single = [a for a in self.catalogue.aliases if " " not in norm(a.text) and self._is_player(a.entity_id)]
        for alias in single:
            if norm(alias.text) in self.common_words and alias.kind is not AliasKind.CONTEXT:
                report.problems.append(
                    f"“{alias.text}” ({alias.entity_id}) is in common_words.txt "
                    f"yet names the player alone ({alias.kind})"
                )
        report.review.extend(await self._lookalikes(single))
        report.explained.extend(
            f"“{c.alias}” {', '.join(c.entity_ids)}: {c.resolution}" for c in self.catalogue.collisions
        )
        return report

    def _is_player(self, entity_id: str) -> bool:
        entity = self.catalogue.find(entity_id)
        return entity is not None and entity.kind is EntityKind.PLAYER

    def _duplicates(self) -> list[str]:
        """Players that look listed twice: same name and same club, or same name, nationality and position."""
        by_name: dict[str, list[Entity]] = defaultdict(list)
        for player in self.catalogue.players():
            by_name[norm(player.name)].append(player)
        out = []
        for group in by_name.values():
            for i, first in enumerate(group):
                for second in group[i + 1:]:
                    if first.club_id == second.club_id:
                        why = "same club"
                    elif (first.country, first.position) == (second.country, second.position) and first.country:
                        why = "same nationality and position"
                    else:
                        continue  # namesakes, told apart by club
                    out.append(f"duplicate player {first.name}: {first.id} and {second.id} ({why})")
        return out

    def _unresolved_collisions(self) -> list[str]:
        """An alias that still names two entities on its own (the loader should have downgraded it).

        A name a men's and a women's entity share is not a problem: the sentence's context decides.
        """
        strong: dict[tuple[str, bool], set[str]] = defaultdict(set)
        for alias in self.catalogue.aliases:
            if alias.kind in (AliasKind.STRONG, AliasKind.PLACE):
                entity = self.catalogue.find(alias.entity_id)
                strong[norm(alias.text), entity is not None and entity.women].add(alias.entity_id)
        return [
            f"“{text}” names {', '.join(sorted(owners))} on its own"
            for (text, _), owners in sorted(strong.items())
            if len(owners) > 1
        ]

    async def _lookalikes(self, single: list[Alias]) -> list[str]:
        """Strong one-word player aliases that stored news uses as lower-case words (so, probably words)."""
        candidates = {norm(a.text): a for a in single
                      if a.kind is AliasKind.STRONG and norm(a.text) not in self.common_words}
        if not candidates:
            return []
        seen: Counter[str] = Counter()
        for text in await self.storage.entities.recent_texts():
            # Only words written in lower case: a name is capitalised, an ordinary word is not.
            seen.update({norm(w) for w in _WORD.findall(text) if w.islower()} & candidates.keys())
        return [
            f"“{candidates[w].text}” ({candidates[w].entity_id}) appears as a lower-case word in {n} stored items"
            for w, n in sorted(seen.items()) if n >= _LOOKALIKE_MIN_ITEMS
        ]
