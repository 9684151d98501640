"""SQL for the catalogue: seed entities and aliases, synced idempotently at start-up."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Final, Protocol

from bot.catalogue.normalize import norm
from bot.models import Alias, Entity
from bot.storage.db import Database

GET_META: Final = "SELECT value FROM meta WHERE key = :key"
SET_META: Final = "INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = :value"
DELETE_SEED_ENTITIES: Final = "DELETE FROM entities WHERE source = 'seed'"
UPSERT_ENTITY: Final = """
INSERT INTO entities (id, kind, name, club_id, country, league, position, as_of, provisional, source)
VALUES (:id, :kind, :name, :club_id, :country, :league, :position, :as_of, :provisional, 'seed')
ON CONFLICT (id) DO UPDATE SET kind = :kind, name = :name, club_id = :club_id, country = :country,
    league = :league, position = :position, as_of = :as_of, provisional = :provisional, source = 'seed'
"""
INSERT_ALIAS: Final = """
INSERT INTO aliases (entity_id, alias, norm, kind) VALUES (:entity_id, :alias, :norm, :kind)
ON CONFLICT (entity_id, norm) DO NOTHING
"""
ENTITY_NAMES: Final = "SELECT id, name FROM entities WHERE id IN (SELECT value FROM json_each(:ids))"
COUNTS: Final = "SELECT kind, count(*) AS n FROM entities GROUP BY kind"
_HASH_KEY: Final = "catalogue_seed_hash"


class SeedCatalogue(Protocol):
    """What syncing needs from a catalogue (``bot.catalogue.Catalogue``): its entities and aliases."""

    @property
    def entities(self) -> Mapping[str, Entity]:
        """Every entity by id."""
        ...

    @property
    def aliases(self) -> Sequence[Alias]:
        """Every alias."""
        ...


def catalogue_hash(catalogue: SeedCatalogue) -> str:
    """A digest of everything the seeds define, to skip re-syncing an unchanged catalogue."""
    digest = hashlib.sha256()
    for entity in sorted(catalogue.entities.values(), key=lambda e: e.id):
        digest.update(repr(entity).encode())
    for alias in sorted(catalogue.aliases, key=lambda a: (a.entity_id, a.text)):
        digest.update(repr(alias).encode())
    return digest.hexdigest()


class CatalogueStore:
    """Entities and aliases in the database, mirrored from the seed files."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def sync(self, catalogue: SeedCatalogue) -> bool:
        """Make the database's seed entities match ``catalogue``; a no-op when unchanged. True if written."""
        wanted = catalogue_hash(catalogue)
        row = await self._db.fetchone(GET_META, {"key": _HASH_KEY})
        if row is not None and row["value"] == wanted:
            return False
        entities = [
            {
                "id": e.id,
                "kind": e.kind.value,
                "name": e.name,
                "club_id": e.club_id,
                "country": e.country,
                "league": e.league,
                "position": e.position,
                "as_of": e.as_of,
                "provisional": int(e.provisional),
            }
            for e in catalogue.entities.values()
        ]
        aliases = [
            {"entity_id": a.entity_id, "alias": a.text, "norm": norm(a.text), "kind": a.kind.value}
            for a in catalogue.aliases
        ]
        async with self._db.transaction() as conn:
            # Replace seed rows wholesale: aliases cascade with their entities, and an entity removed
            # from the seeds disappears. Entities added by operators (source != 'seed') stay.
            await conn.execute(DELETE_SEED_ENTITIES)
            await conn.executemany(UPSERT_ENTITY, entities)
            await conn.executemany(INSERT_ALIAS, aliases)
            await conn.execute(SET_META, {"key": _HASH_KEY, "value": wanted})
        return True

    async def names(self, entity_ids: list[str]) -> dict[str, str]:
        """Return display names for entity ids."""
        rows = await self._db.fetchall(ENTITY_NAMES, {"ids": json.dumps(entity_ids)})
        return {r["id"]: r["name"] for r in rows}

    async def counts(self) -> dict[str, int]:
        """Return how many players and clubs are stored."""
        return {r["kind"]: int(r["n"]) for r in await self._db.fetchall(COUNTS)}
