"""SQL for retention: delete items older than the cut-off, with everything that only they kept alive.

An item is kept, however old, while anything still needs it: being the head of a story reported since
the cut-off (the story goes with its head), a pending delivery, or being the newest item (item ids are
max+1: keeping the newest means an id is never handed out twice). Older reports of a story still being
reported do go: a saga reported every week for a year would otherwise keep all its items. Deleting an
item cascades to its mentions, its reports, its provisional sightings, its deliveries and the stories it
heads; alert-history rows that name a story gone with them are deleted too. Each batch is one short
transaction, so a big first prune never holds the write lock for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.storage.db import Database, to_db

BATCH: Final = 500

PRUNABLE: Final = """
SELECT id FROM items
WHERE fetched_at < :cutoff
  AND id < (SELECT max(id) FROM items)
  AND id NOT IN (SELECT head_item_id FROM stories WHERE last_at >= :cutoff)
  AND id NOT IN (SELECT item_id FROM outbox WHERE status = 'pending')
ORDER BY id
LIMIT :limit
"""
REMEMBER: Final = """
INSERT INTO pruned_items (dedupe_key, pruned_at)
SELECT dedupe_key, :now FROM items WHERE id IN (SELECT value FROM json_each(:ids))
ON CONFLICT (dedupe_key) DO UPDATE SET pruned_at = excluded.pruned_at
"""
DELETE_ITEMS: Final = "DELETE FROM items WHERE id IN (SELECT value FROM json_each(:ids))"
# "story:<id>:<stage>" keys whose story is gone: nothing refers to them any more, and a later story
# that happened to get the same id must never find them.
_STORY_ID: Final = "CAST(substr({col}, 7, instr(substr({col}, 7), ':') - 1) AS INTEGER)"
FORGET_ALERT_STORIES: Final = f"""
DELETE FROM alert_stories WHERE {_STORY_ID.format(col="story_key")} NOT IN (SELECT id FROM stories)
"""
FORGET_STORY_DELIVERIES: Final = f"""
DELETE FROM outbox WHERE status <> 'pending' AND alert_key LIKE 'story:%'
  AND {_STORY_ID.format(col="alert_key")} NOT IN (SELECT id FROM stories)
"""
FORGET_PRUNED_KEYS: Final = "DELETE FROM pruned_items WHERE pruned_at < :cutoff"
COUNTS: Final = "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM stories), (SELECT count(*) FROM mentions)"


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one prune deleted."""

    items: int = 0
    stories: int = 0
    mentions: int = 0
    alert_rows: int = 0  # alert-history rows of deleted stories (outbox and alert_stories)
    keys_forgotten: int = 0


class RetentionStore:
    """Deletes what is older than the retention period."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def prune(self, *, cutoff: datetime, now: datetime, batch: int = BATCH) -> Pruned:
        """Delete items stored before ``cutoff`` (and what only they kept); forget keys pruned before it."""
        before = await self._counts()
        deleted = 0
        while True:
            async with self._db.transaction() as conn:
                async with conn.execute(PRUNABLE, {"cutoff": to_db(cutoff), "limit": batch}) as cursor:
                    ids = [int(row[0]) for row in await cursor.fetchall()]
                if ids:
                    as_json = "[" + ",".join(map(str, ids)) + "]"
                    await conn.execute(REMEMBER, {"ids": as_json, "now": to_db(now)})
                    await conn.execute(DELETE_ITEMS, {"ids": as_json})
            deleted += len(ids)
            if len(ids) < batch:
                break
        async with self._db.transaction() as conn:
            alert_rows = (await conn.execute(FORGET_ALERT_STORIES)).rowcount
            alert_rows += (await conn.execute(FORGET_STORY_DELIVERIES)).rowcount
            keys = (await conn.execute(FORGET_PRUNED_KEYS, {"cutoff": to_db(cutoff)})).rowcount
        after = await self._counts()
        return Pruned(deleted, before[1] - after[1], before[2] - after[2], alert_rows, keys)

    async def _counts(self) -> tuple[int, int, int]:
        row = await self._db.fetchone(COUNTS)
        assert row is not None  # an aggregate always returns a row
        return int(row[0]), int(row[1]), int(row[2])
