"""SQL for what the read commands show (/latest, /rumours, /shortlist, the latest news about a follow).

Every query here sees only the items a server may see: those of the operator's feeds (guild 0) and
of that server's own extra feeds, so one server's feeds never show up in another server's answers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from bot.models import StoredItem
from bot.storage.db import Database, to_db
from bot.storage.feeds import GLOBAL
from bot.storage.items import item_from_row as _item

# Why the CROSS JOINs and the unary plus: the planner would otherwise start from the visible feeds and
# read every item of each through items(feed_id, uid), then sort them all for the newest ten. Written
# like this it walks an index newest first (items_published for /latest, mentions_entity_published
# for one entity) and stops at the limit; the visibility test is a lookup per row.
_VISIBLE: Final = "+i.feed_id IN (SELECT feed_id FROM feed_guilds WHERE guild_id IN (:global, :guild_id))"
_SELECT: Final = "SELECT i.*, f.title AS feed_title FROM items i CROSS JOIN feeds f ON f.id = i.feed_id"
# The mentions of one item are one per span (PRIMARY KEY item, entity, matched): DISTINCT keeps one
# row per item, still in index order.
LATEST_ABOUT: Final = f"""
SELECT DISTINCT i.*, f.title AS feed_title
FROM mentions m CROSS JOIN items i ON i.id = m.item_id CROSS JOIN feeds f ON f.id = i.feed_id
WHERE m.entity_id = :entity_id AND {_VISIBLE}
ORDER BY m.published_at DESC, m.item_id DESC LIMIT :limit
"""
# /following: the newest visible item about each of several entities, in one round trip.
LATEST_OF_EACH: Final = f"""
SELECT e.value AS entity_id, (
    SELECT m.item_id FROM mentions m CROSS JOIN items i ON i.id = m.item_id
    WHERE m.entity_id = e.value AND {_VISIBLE}
    ORDER BY m.published_at DESC, m.item_id DESC LIMIT 1
) AS item_id
FROM json_each(:entity_ids) e
"""
ITEMS_BY_ID: Final = f"{_SELECT} WHERE i.id IN (SELECT value FROM json_each(:ids))"
# "Matched" items only: an item that mentions no player or club is not transfer news for /latest.
LATEST_MATCHED: Final = f"""
{_SELECT}
WHERE EXISTS (SELECT 1 FROM mentions m WHERE m.item_id = i.id) AND {_VISIBLE}
ORDER BY i.published_at DESC, i.id DESC LIMIT :limit
"""
LATEST_ANY: Final = f"{_SELECT} WHERE {_VISIBLE} ORDER BY i.published_at DESC, i.id DESC LIMIT :limit"
MENTIONED_IN: Final = """
SELECT item_id, entity_id FROM mentions WHERE item_id IN (SELECT value FROM json_each(:ids)) ORDER BY rowid
"""
# Crash recovery of the outbox: alertable items stored after the last planned one (all feeds).
ALERTABLE_AFTER: Final = f"""
{_SELECT}
WHERE i.id > :after_id AND i.alertable = 1 AND i.published_at >= :since
ORDER BY i.id LIMIT :limit
"""
MAX_ITEM_ID: Final = "SELECT max(id) FROM items"
VISIBLE_FEEDS: Final = "SELECT DISTINCT feed_id FROM feed_guilds WHERE guild_id IN (:global, :guild_id)"


class TimelineStore:
    """Read-only queries behind the read commands, scoped to what one server may see."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def latest_about(self, entity_id: str, *, guild_id: int, limit: int = 5) -> list[StoredItem]:
        """The newest items mentioning an entity."""
        params = {"entity_id": entity_id, "guild_id": guild_id, "global": GLOBAL, "limit": limit}
        return [_item(r) for r in await self._db.fetchall(LATEST_ABOUT, params)]

    async def latest_of_each(self, entity_ids: Sequence[str], *, guild_id: int) -> dict[str, StoredItem]:
        """The newest item about each of these entities, for those with one."""
        params = {"entity_ids": json.dumps(list(entity_ids)), "guild_id": guild_id, "global": GLOBAL}
        newest = {r["entity_id"]: r["item_id"] for r in await self._db.fetchall(LATEST_OF_EACH, params)
                  if r["item_id"] is not None}
        if not newest:
            return {}
        rows = await self._db.fetchall(ITEMS_BY_ID, {"ids": json.dumps(sorted(set(newest.values())))})
        items = {row["id"]: _item(row) for row in rows}
        return {entity_id: items[item_id] for entity_id, item_id in newest.items() if item_id in items}

    async def latest(self, *, guild_id: int, limit: int = 10, matched_only: bool = True) -> list[StoredItem]:
        """The newest items (by default only those that mention a player or club)."""
        sql = LATEST_MATCHED if matched_only else LATEST_ANY
        params = {"guild_id": guild_id, "global": GLOBAL, "limit": limit}
        return [_item(r) for r in await self._db.fetchall(sql, params)]

    async def mentioned_in(self, item_ids: Sequence[int]) -> dict[int, list[str]]:
        """The entity ids each item mentions, in the order stored, each once."""
        rows = await self._db.fetchall(MENTIONED_IN, {"ids": json.dumps(list(item_ids))})
        out: dict[int, list[str]] = defaultdict(list)
        for row in rows:
            if row["entity_id"] not in out[row["item_id"]]:
                out[row["item_id"]].append(row["entity_id"])
        return dict(out)

    async def alertable_after(self, item_id: int, *, since: datetime, limit: int = 500) -> list[StoredItem]:
        """Alertable items (of any feed) stored after ``item_id`` and published since ``since``, oldest first."""
        params = {"after_id": item_id, "since": to_db(since), "limit": limit}
        return [_item(r) for r in await self._db.fetchall(ALERTABLE_AFTER, params)]

    async def max_item_id(self) -> int:
        """The newest item's id (0 when there is none)."""
        row = await self._db.fetchone(MAX_ITEM_ID)
        return 0 if row is None or row[0] is None else int(row[0])

    async def visible_feeds(self, guild_id: int) -> set[int]:
        """The feeds whose items a server may see: the operator's and its own."""
        rows = await self._db.fetchall(VISIBLE_FEEDS, {"global": GLOBAL, "guild_id": guild_id})
        return {int(r[0]) for r in rows}
