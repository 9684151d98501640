"""SQL for follows, and the routing query: which follows does a new item concern."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import Follow, FollowHit
from bot.storage.db import Database, from_db, to_db

COUNT_FOR_USER: Final = "SELECT count(*) FROM follows WHERE guild_id = :guild_id AND user_id = :user_id"
INSERT: Final = """
INSERT INTO follows (guild_id, user_id, entity_id, term, term_norm, created_at)
VALUES (:guild_id, :user_id, :entity_id, :term, :term_norm, :now)
ON CONFLICT DO NOTHING
"""
EXISTS: Final = """
SELECT 1 FROM follows WHERE guild_id = :guild_id AND user_id = :user_id
    AND COALESCE(entity_id, '') = COALESCE(:entity_id, '') AND COALESCE(term_norm, '') = COALESCE(:term_norm, '')
"""
DELETE_ENTITY: Final = "DELETE FROM follows WHERE guild_id = :guild_id AND user_id = :user_id AND entity_id = :key"
DELETE_TERM: Final = "DELETE FROM follows WHERE guild_id = :guild_id AND user_id = :user_id AND term_norm = :key"
LIST: Final = "SELECT * FROM follows WHERE guild_id = :guild_id AND user_id = :user_id ORDER BY created_at, id"
# The routing query. Entity follows join the item's mentions through the covering index
# follows(entity_id, guild_id, user_id); term follows (few, free text) are matched on the folded text.
CONCERNED: Final = """
SELECT f.guild_id, f.user_id, f.entity_id, NULL AS term
FROM mentions m JOIN follows f ON f.entity_id = m.entity_id
WHERE m.item_id = :item_id
UNION
SELECT f.guild_id, f.user_id, NULL, f.term
FROM follows f
WHERE f.term_norm IS NOT NULL AND instr(:folded_text, f.term_norm) > 0
"""


def _follow(row: aiosqlite.Row) -> Follow:
    return Follow(
        id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        entity_id=row["entity_id"],
        term=row["term"],
        created_at=from_db(row["created_at"]),
    )


class FollowStore:
    """Per-user, per-server follows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        guild_id: int,
        user_id: int,
        now: datetime,
        limit: int,
        entity_id: str | None = None,
        term: str | None = None,
        term_norm: str | None = None,
    ) -> bool | None:
        """Follow an entity or a term. True if added, False if already followed, None if at the limit."""
        params = {
            "guild_id": guild_id,
            "user_id": user_id,
            "entity_id": entity_id,
            "term": term,
            "term_norm": term_norm,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            async with conn.execute(COUNT_FOR_USER, params) as cursor:
                row = await cursor.fetchone()
            if row is not None and int(row[0]) >= limit:
                async with conn.execute(EXISTS, params) as cursor:
                    return False if await cursor.fetchone() else None
            async with conn.execute(INSERT, params) as cursor:
                return cursor.rowcount > 0

    async def remove(self, *, guild_id: int, user_id: int, entity_id: str | None = None,
                     term_norm: str | None = None) -> bool:
        """Stop following an entity or a term. True if something was removed."""
        sql, key = (DELETE_ENTITY, entity_id) if entity_id is not None else (DELETE_TERM, term_norm)
        return await self._db.execute(sql, {"guild_id": guild_id, "user_id": user_id, "key": key}) > 0

    async def of_user(self, *, guild_id: int, user_id: int) -> list[Follow]:
        """Return one user's follows in one server, oldest first."""
        rows = await self._db.fetchall(LIST, {"guild_id": guild_id, "user_id": user_id})
        return [_follow(r) for r in rows]

    async def concerned(self, item_id: int, folded_text: str) -> list[FollowHit]:
        """Return every follow (in any server) that an item concerns, by mention or by term."""
        rows = await self._db.fetchall(CONCERNED, {"item_id": item_id, "folded_text": folded_text})
        return [FollowHit(r[0], r[1], r[2], r[3]) for r in rows]

