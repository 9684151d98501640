"""SQL for follows, and the routing query: which follows does a new item concern."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import Follow, Followers, FollowFilter, Stage
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
# The routing query: one row per followed thing and filter, with its followers as two aligned lists
# (servers and users) that the JSON parser reads back in C: an item about a big club concerns ten
# thousand follows, and one row per follow would cost more to build than the query. Entity follows
# are read in order from the covering index follows(entity_id, min_stage, max_tier, guild_id, user_id)
# for each entity the item mentions (once, however many spans matched it). Term follows (free text:
# few distinct terms, however many users follow them) test each distinct term once against the folded
# text, then read that term's followers from follows(term_norm, ...). The halves never share a row
# (entity_id and term are exclusive): UNION ALL.
CONCERNED: Final = """
SELECT f.entity_id, NULL AS term, f.min_stage, f.max_tier, group_concat(f.guild_id) AS guilds,
    group_concat(f.user_id) AS users
FROM follows f
WHERE f.entity_id IN (SELECT entity_id FROM mentions WHERE item_id = :item_id)
GROUP BY f.entity_id, f.min_stage, f.max_tier
UNION ALL
SELECT NULL, f.term, f.min_stage, f.max_tier, group_concat(f.guild_id), group_concat(f.user_id)
FROM follows f
WHERE f.term_norm IN (
    SELECT term_norm FROM (SELECT DISTINCT term_norm FROM follows WHERE term_norm IS NOT NULL)
    WHERE instr(:folded_text, term_norm) > 0
)
GROUP BY f.term, f.min_stage, f.max_tier
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

    async def concerned(self, item_id: int, folded_text: str) -> list[Followers]:
        """Every follow (in any server) that an item concerns, by mention or by term, grouped by what is
        followed and the follow's filter.

        Term rows are candidates (the term occurs in ``folded_text``); whole-word matching is the caller's.
        """
        rows = await self._db.fetchall(CONCERNED, {"item_id": item_id, "folded_text": folded_text})
        return [Followers(r[0], r[1], _ints(r[4]), _ints(r[5]), _stage(r[2]), r[3]) for r in rows]


def _ints(listed: str) -> tuple[int, ...]:
    """``group_concat`` of integers back to integers (the JSON parser reads ten thousand in a millisecond)."""
    return tuple(json.loads(f"[{listed}]"))
