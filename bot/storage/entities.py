"""SQL for the catalogue's database-only layer: operator additions, provisional players and their sightings.

Seed rows (``entities.source = 'seed'``) are owned by ``CatalogueStore.sync``. Everything here survives
a re-sync: players added by the operator (source ``operator``), provisional players found in the news
(source ``provisional``, ``provisional = 1``) and promoted ones (source ``learned``), operator aliases
and club moves (own tables, re-applied after each sync because they may concern seed entities; the
moves themselves are written by ``bot.storage.moves``, which logs each one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

import aiosqlite

from bot.catalogue.normalize import norm
from bot.models import Alias, AliasKind, Entity, EntityKind, Sighting
from bot.storage.db import Database, to_db

LAYER_ENTITIES: Final = "SELECT * FROM entities WHERE source != 'seed' ORDER BY id"
LAYER_ALIASES: Final = """
SELECT a.entity_id, a.alias, a.kind FROM aliases a JOIN entities e ON e.id = a.entity_id
WHERE e.source != 'seed' ORDER BY a.rowid
"""
OPERATOR_ALIASES: Final = "SELECT entity_id, alias, kind FROM operator_aliases ORDER BY added_at, rowid"
MOVES: Final = "SELECT entity_id, club_id, as_of FROM player_moves ORDER BY entity_id"
SOURCE_OF: Final = "SELECT source, provisional FROM entities WHERE id = :id"

# Operator players: insert, or take over a provisional/learned/operator row with the same id (never a seed row).
SAVE_ENTITY: Final = """
INSERT INTO entities (id, kind, name, club_id, country, league, position, as_of, provisional, source)
VALUES (:id, :kind, :name, :club_id, :country, :league, :position, :as_of, :provisional, :source)
ON CONFLICT (id) DO UPDATE SET name = :name, club_id = :club_id, country = :country, league = :league,
    position = :position, as_of = :as_of, provisional = :provisional, source = :source
WHERE entities.source != 'seed'
"""
INSERT_ALIAS: Final = """
INSERT INTO aliases (entity_id, alias, norm, kind) VALUES (:entity_id, :alias, :norm, :kind)
ON CONFLICT (entity_id, norm) DO NOTHING
"""
SAVE_OPERATOR_ALIAS: Final = """
INSERT INTO operator_aliases (entity_id, alias, norm, kind, added_at) VALUES (:entity_id, :alias, :norm, :kind, :now)
ON CONFLICT (entity_id, norm) DO UPDATE SET alias = :alias, kind = :kind
"""
# Mirror an operator alias into `aliases` when its entity is stored (other readers of the table see it too).
MIRROR_ALIAS: Final = """
INSERT INTO aliases (entity_id, alias, norm, kind)
SELECT :entity_id, :alias, :norm, :kind WHERE EXISTS (SELECT 1 FROM entities WHERE id = :entity_id)
ON CONFLICT (entity_id, norm) DO UPDATE SET alias = :alias, kind = :kind
"""
DELETE_MOVE: Final = "DELETE FROM player_moves WHERE entity_id = :entity_id"
# After a seed re-sync: put operator moves and aliases back on the freshly inserted seed rows.
REAPPLY_MOVES: Final = """
UPDATE entities SET club_id = m.club_id, as_of = m.as_of FROM player_moves m WHERE m.entity_id = entities.id
"""
REAPPLY_ALIASES: Final = """
INSERT INTO aliases (entity_id, alias, norm, kind)
SELECT o.entity_id, o.alias, o.norm, o.kind FROM operator_aliases o JOIN entities e ON e.id = o.entity_id WHERE true
ON CONFLICT (entity_id, norm) DO UPDATE SET alias = excluded.alias, kind = excluded.kind
"""

# Free-text follows that now name an entity become entity follows. A user who already follows the
# entity loses the term follow instead (follows_unique), and of several matching terms one survives.
DROP_REDUNDANT_TERMS: Final = """
DELETE FROM follows
WHERE term_norm IN (SELECT value FROM json_each(:norms))
  AND EXISTS (SELECT 1 FROM follows g
              WHERE g.guild_id = follows.guild_id AND g.user_id = follows.user_id AND g.entity_id = :entity_id)
"""
RELINK_TERMS: Final = """
UPDATE follows SET entity_id = :entity_id, term = NULL, term_norm = NULL
WHERE id IN (SELECT min(id) FROM follows WHERE term_norm IN (SELECT value FROM json_each(:norms))
             GROUP BY guild_id, user_id)
"""

# Sightings. The entity row is created on first sighting; later ones may fill in a missing club.
INSERT_PROVISIONAL: Final = """
INSERT INTO entities (id, kind, name, club_id, country, position, as_of, provisional, source)
VALUES (:id, 'player', :name, :club_id, :country, :position, :as_of, 1, 'provisional')
ON CONFLICT (id) DO NOTHING
"""
FILL_PROVISIONAL: Final = """
UPDATE entities SET club_id = COALESCE(club_id, :club_id), country = COALESCE(country, :country),
    position = COALESCE(position, :position)
WHERE id = :id AND provisional = 1
"""
# Only players this layer owns get sightings and aliases: never a seed player that happens to share the id.
_OWNED: Final = "EXISTS (SELECT 1 FROM entities WHERE id = :id AND source IN ('provisional', 'learned'))"
INSERT_PROVISIONAL_ALIAS: Final = f"""
INSERT INTO aliases (entity_id, alias, norm, kind) SELECT :id, :name, :norm, 'strong' WHERE {_OWNED}
ON CONFLICT (entity_id, norm) DO NOTHING
"""
INSERT_SIGHTING: Final = f"""
INSERT INTO provisional_sightings (entity_id, item_id, feed_id, club_id, evidence, seen_at)
SELECT :id, :item_id, :feed_id, :club_id, :evidence, :now WHERE {_OWNED}
ON CONFLICT (entity_id, item_id) DO NOTHING
"""
# The item mentions him: routing (entity follows), /latest and /rumours then work as for any player.
INSERT_MENTION: Final = f"""
INSERT INTO mentions (item_id, entity_id, matched) SELECT :item_id, :id, :matched WHERE {_OWNED}
ON CONFLICT DO NOTHING
"""
ELIGIBLE: Final = """
SELECT e.id FROM entities e
WHERE e.provisional = 1 AND (
    (SELECT count(DISTINCT s.feed_id) FROM provisional_sightings s WHERE s.entity_id = e.id) >= :min_feeds
    OR EXISTS (SELECT 1 FROM follows f WHERE f.entity_id = e.id)
    OR EXISTS (SELECT 1 FROM follows f JOIN aliases a ON a.norm = f.term_norm WHERE a.entity_id = e.id)
)
ORDER BY e.id
"""
PROMOTE: Final = "UPDATE entities SET provisional = 0, source = 'learned' WHERE id = :id AND provisional = 1"
NORMS_OF: Final = "SELECT norm FROM aliases WHERE entity_id = :id"
# `catalogue check`: the words of recent items, to spot aliases that the news uses as ordinary words.
RECENT_TEXTS: Final = "SELECT title || ' ' || summary FROM items ORDER BY published_at DESC, id DESC LIMIT :limit"
SIGHTINGS_OF: Final = """
SELECT item_id, feed_id, club_id, evidence FROM provisional_sightings WHERE entity_id = :id ORDER BY seen_at, item_id
"""


@dataclass(frozen=True, slots=True)
class PlayerMove:
    """A player's current club when it differs from the seeds (``bot.storage.moves`` logs how it came to be).

    ``club_id`` None: he left for a club outside the catalogue.
    """

    entity_id: str
    club_id: str | None
    as_of: str


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """An entity of the database-only layer and where it came from (operator, provisional, learned)."""

    entity: Entity
    source: str


@dataclass(frozen=True, slots=True)
class CatalogueLayer:
    """Everything the database adds to the seed catalogue."""

    entities: list[StoredEntity] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)  # aliases of the layer's own entities
    operator_aliases: list[Alias] = field(default_factory=list)  # `add-alias`, on any entity
    moves: list[PlayerMove] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StoredSighting:
    """A sighting as kept: which item, which feed."""

    item_id: int
    feed_id: int
    club_id: str | None
    evidence: str


def _entity(row: aiosqlite.Row) -> Entity:
    return Entity(
        id=row["id"],
        kind=EntityKind(row["kind"]),
        name=row["name"],
        club_id=row["club_id"],
        country=row["country"],
        league=row["league"],
        position=row["position"],
        as_of=row["as_of"],
        provisional=bool(row["provisional"]),
    )


def _alias_row(alias: Alias) -> dict[str, str]:
    return {"entity_id": alias.entity_id, "alias": alias.text, "norm": norm(alias.text), "kind": alias.kind.value}


async def relink_terms(conn: aiosqlite.Connection, entity_id: str, norms: Iterable[str]) -> int:
    """Inside a write transaction: make free-text follows of ``norms`` follows of the entity; return how many."""
    params = {"entity_id": entity_id, "norms": json.dumps(sorted(set(norms)))}
    await conn.execute(DROP_REDUNDANT_TERMS, params)
    async with conn.execute(RELINK_TERMS, params) as cursor:
        relinked = cursor.rowcount
    await conn.execute(DROP_REDUNDANT_TERMS, params)
    return relinked


class EntityStore:
    """The database-only catalogue layer: operator players and aliases, moves, provisional players."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def layer(self) -> CatalogueLayer:
        """Read everything the database adds to the seeds, for merging into the catalogue at start-up."""
        entities = [
            StoredEntity(_entity(r), r["source"]) for r in await self._db.fetchall(LAYER_ENTITIES)
        ]
        aliases = [Alias(r[1], r[0], AliasKind(r[2])) for r in await self._db.fetchall(LAYER_ALIASES)]
        operator = [Alias(r[1], r[0], AliasKind(r[2])) for r in await self._db.fetchall(OPERATOR_ALIASES)]
        moves = [PlayerMove(r[0], r[1], r[2]) for r in await self._db.fetchall(MOVES)]
        return CatalogueLayer(entities, aliases, operator, moves)

    async def source_of(self, entity_id: str) -> str | None:
        """Return where a stored entity came from ('seed', 'operator', …), or None if it is not stored."""
        row = await self._db.fetchone(SOURCE_OF, {"id": entity_id})
        return None if row is None else str(row["source"])

    async def save_player(self, entity: Entity, aliases: Sequence[Alias], *, source: str = "operator") -> int:
        """Store an operator's player (taking over a provisional row with the same id); return follows re-linked."""
        params = {
            "id": entity.id,
            "kind": entity.kind.value,
            "name": entity.name,
            "club_id": entity.club_id,
            "country": entity.country,
            "league": entity.league,
            "position": entity.position,
            "as_of": entity.as_of,
            "provisional": int(entity.provisional),
            "source": source,
        }
        async with self._db.transaction() as conn:
            await conn.execute(SAVE_ENTITY, params)
            await conn.executemany(INSERT_ALIAS, [_alias_row(a) for a in aliases])
            await conn.execute(DELETE_MOVE, {"entity_id": entity.id})
            return await relink_terms(conn, entity.id, (norm(a.text) for a in aliases))

    async def add_alias(self, alias: Alias, *, now: datetime) -> int:
        """Store an operator alias of any entity; return how many term follows it re-linked."""
        row = {**_alias_row(alias), "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(SAVE_OPERATOR_ALIAS, row)
            await conn.execute(MIRROR_ALIAS, row)
            return await relink_terms(conn, alias.entity_id, [row["norm"]])

    async def reapply(self) -> None:
        """Put operator moves and aliases back on seed rows (call after ``CatalogueStore.sync``)."""
        async with self._db.transaction() as conn:
            await conn.execute(REAPPLY_MOVES)
            await conn.execute(REAPPLY_ALIASES)

    async def record_sightings(
        self, item_id: int, feed_id: int, sightings: Sequence[Sighting], *, now: datetime
    ) -> None:
        """Create provisional players seen for the first time, and record each sighting and mention."""
        rows = [
            {
                "id": s.entity_id,
                "name": s.name,
                "norm": norm(s.name),
                "club_id": s.club_id,
                "country": s.nationality,
                "position": s.position,
                "as_of": now.date().isoformat(),
                "item_id": item_id,
                "feed_id": feed_id,
                "evidence": s.evidence,
                "matched": s.name,
                "now": to_db(now),
            }
            for s in sightings
        ]
        async with self._db.transaction() as conn:
            for sql in (INSERT_PROVISIONAL, FILL_PROVISIONAL, INSERT_PROVISIONAL_ALIAS, INSERT_SIGHTING,
                        INSERT_MENTION):
                await conn.executemany(sql, rows)

    async def promote_eligible(self, *, min_feeds: int, now: datetime) -> list[str]:
        """Promote provisional players seen by ``min_feeds`` distinct feeds or followed; return their ids."""
        async with self._db.transaction() as conn:
            async with conn.execute(ELIGIBLE, {"min_feeds": min_feeds}) as cursor:
                ids = [str(r[0]) for r in await cursor.fetchall()]
            for entity_id in ids:
                await conn.execute(PROMOTE, {"id": entity_id})
                async with conn.execute(NORMS_OF, {"id": entity_id}) as cursor:
                    norms = [str(r[0]) for r in await cursor.fetchall()]
                await relink_terms(conn, entity_id, norms)
        return ids

    async def sightings(self, entity_id: str) -> list[StoredSighting]:
        """Return a provisional player's sightings, oldest first."""
        rows = await self._db.fetchall(SIGHTINGS_OF, {"id": entity_id})
        return [StoredSighting(r[0], r[1], r[2], r[3]) for r in rows]

    async def recent_texts(self, limit: int = 2000) -> list[str]:
        """Return the title and summary of the newest stored items."""
        return [str(r[0]) for r in await self._db.fetchall(RECENT_TEXTS, {"limit": limit})]
