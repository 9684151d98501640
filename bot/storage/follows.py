"""SQL for follows, and the routing query: which follows does a new item concern."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import Follow, FollowFilter, FollowHit, Stage
from bot.storage.db import Database, from_db, to_db

COUNT_FOR_USER: Final = "SELECT count(*) FROM follows WHERE guild_id = :guild_id AND user_id = :user_id"
INSERT: Final = """
INSERT INTO follows (guild_id, user_id, entity_id, term, term_norm, created_at, min_stage, max_tier)
VALUES (:guild_id, :user_id, :entity_id, :term, :term_norm, :now, :min_stage, :max_tier)
ON CONFLICT DO NOTHING
"""
SET_FILTER: Final = """
UPDATE follows SET min_stage = :min_stage, max_tier = :max_tier WHERE guild_id = :guild_id AND user_id = :user_id
    AND COALESCE(entity_id, '') = COALESCE(:entity_id, '') AND COALESCE(term_norm, '') = COALESCE(:term_norm, '')
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
SELECT f.guild_id, f.user_id, f.entity_id, NULL AS term, f.min_stage, f.max_tier
FROM mentions m JOIN follows f ON f.entity_id = m.entity_id
WHERE m.item_id = :item_id
UNION
SELECT f.guild_id, f.user_id, NULL, f.term, f.min_stage, f.max_tier
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
        min_stage=_stage(row["min_stage"]),
        max_tier=row["max_tier"],
    )


def _stage(value: str | None) -> Stage | None:
    return Stage(value) if value else None


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
        dm_filter: FollowFilter | None = None,
    ) -> bool | None:
        """Follow an entity or a term. True if added, False if already followed, None if at the limit.

        ``dm_filter`` is the follow's filter: a new follow gets it, an existing one is changed to it; None
        leaves an existing follow's filter as it is (the Follow button on an alert).
        """
        wanted = dm_filter or FollowFilter()
        params = {
            "guild_id": guild_id,
            "user_id": user_id,
            "entity_id": entity_id,
            "term": term,
            "term_norm": term_norm,
            "now": to_db(now),
            "min_stage": wanted.min_stage.value if wanted.min_stage else None,
            "max_tier": wanted.max_tier,
        }
        async with self._db.transaction() as conn:
            async with conn.execute(COUNT_FOR_USER, params) as cursor:
                row = await cursor.fetchone()
            if row is not None and int(row[0]) >= limit:
                async with conn.execute(EXISTS, params) as cursor:
                    if await cursor.fetchone() is None:
                        return None
                added = False
            else:
                async with conn.execute(INSERT, params) as cursor:
                    added = cursor.rowcount > 0
            if not added and dm_filter is not None:
                await conn.execute(SET_FILTER, params)
            return added

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
        return [FollowHit(r[0], r[1], r[2], r[3], _stage(r[4]), r[5]) for r in rows]

