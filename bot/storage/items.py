"""SQL for items and the entities they mention."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import NewItem, StoredItem
from bot.storage.db import Database, from_db, to_db

# Pruned items count as known while retention remembers their keys (bot/storage/retention.py).
KNOWN: Final = """
SELECT uid AS key FROM items WHERE feed_id = :feed_id AND uid IN (SELECT value FROM json_each(:uids))
UNION
SELECT dedupe_key AS key FROM items WHERE dedupe_key IN (SELECT value FROM json_each(:keys))
UNION
SELECT dedupe_key AS key FROM pruned_items WHERE dedupe_key IN (SELECT value FROM json_each(:keys))
"""
MAX_ID: Final = "SELECT COALESCE(max(id), 0) FROM items"
# Ids are assigned by the caller inside the write transaction (BEGIN IMMEDIATE holds the write lock,
# so nobody else can take them), which lets one executemany store a whole poll.
INSERT_ITEM: Final = """
INSERT INTO items (id, feed_id, uid, dedupe_key, title, summary, link, author, published_at, fetched_at, alertable)
VALUES (:id, :feed_id, :uid, :dedupe_key, :title, :summary, :link, :author, :published_at, :fetched_at, :alertable)
ON CONFLICT DO NOTHING
"""
EXISTING_IDS: Final = "SELECT id FROM items WHERE id IN (SELECT value FROM json_each(:ids))"
INSERT_MENTION: Final = """
INSERT INTO mentions (item_id, entity_id, matched) VALUES (:item_id, :entity_id, :matched)
ON CONFLICT DO NOTHING
"""
_SELECT: Final = "SELECT i.*, f.title AS feed_title FROM items i JOIN feeds f ON f.id = i.feed_id"
MENTIONS_OF: Final = "SELECT entity_id, matched FROM mentions WHERE item_id = :item_id ORDER BY rowid"
COUNT: Final = "SELECT count(*) FROM items"


def item_from_row(row: aiosqlite.Row) -> StoredItem:
    """Map an ``items`` row (joined with its feed's title as ``feed_title``) to a StoredItem."""
    return StoredItem(
        id=row["id"],
        feed_id=row["feed_id"],
        uid=row["uid"],
        title=row["title"],
        summary=row["summary"],
        link=row["link"],
        published_at=from_db(row["published_at"]),
        fetched_at=from_db(row["fetched_at"]),
        alertable=bool(row["alertable"]),
        feed_title=row["feed_title"],
    )


async def insert_items(
    conn: aiosqlite.Connection, feed_id: int, items: Sequence[NewItem], *, fetched_at: datetime
) -> list[tuple[int, StoredItem]]:
    """Store items and their mentions inside the caller's write transaction; return (input index, item) of the new."""
    async with conn.execute(MAX_ID) as cursor:
        row = await cursor.fetchone()
    first = (int(row[0]) if row else 0) + 1
    rows = [
        {
            "id": first + offset,
            "feed_id": feed_id,
            "uid": new.item.uid,
            "dedupe_key": new.dedupe_key,
            "title": new.item.title,
            "summary": new.item.summary,
            "link": new.item.link,
            "author": new.item.author,
            "published_at": to_db(new.item.published),
            "fetched_at": to_db(fetched_at),
            "alertable": int(new.alertable),
        }
        for offset, new in enumerate(items)
    ]
    await conn.executemany(INSERT_ITEM, rows)
    # An item stored meanwhile (the same link in another feed) was skipped by ON CONFLICT.
    async with conn.execute(EXISTING_IDS, {"ids": json.dumps([r["id"] for r in rows])}) as cursor:
        inserted = {int(r[0]) for r in await cursor.fetchall()}
    await conn.executemany(
        INSERT_MENTION,
        [
            {"item_id": row["id"], "entity_id": m.entity_id, "matched": m.text}
            for row, new in zip(rows, items, strict=True)
            if row["id"] in inserted
            for m in new.mentions
        ],
    )
    return [
        (index, StoredItem(row["id"], feed_id, new.item.uid, new.item.title, new.item.summary, new.item.link,
                           new.item.published, fetched_at, new.alertable))
        for index, (row, new) in enumerate(zip(rows, items, strict=True))
        if row["id"] in inserted
    ]


class ItemStore:
    """Items and mentions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def known(self, feed_id: int, uids: Sequence[str], dedupe_keys: Sequence[str]) -> set[str]:
        """Return which of these uids (in this feed) and dedupe keys (in any feed) are already stored."""
        rows = await self._db.fetchall(
            KNOWN, {"feed_id": feed_id, "uids": json.dumps(list(uids)), "keys": json.dumps(list(dedupe_keys))}
        )
        return {row["key"] for row in rows}

    async def insert(self, feed_id: int, items: Sequence[NewItem], *, fetched_at: datetime) -> list[StoredItem]:
        """Store items and their mentions in one transaction; return only those that were new."""
        if not items:
            return []
        async with self._db.transaction() as conn:
            return [stored for _, stored in await insert_items(conn, feed_id, items, fetched_at=fetched_at)]

    async def get(self, item_id: int) -> StoredItem | None:
        """Return one item."""
        row = await self._db.fetchone(_SELECT + " WHERE i.id = :id", {"id": item_id})
        return item_from_row(row) if row else None

    async def mentions(self, item_id: int) -> list[tuple[str, str]]:
        """Return (entity id, matched text) for one item, in the order stored."""
        rows = await self._db.fetchall(MENTIONS_OF, {"item_id": item_id})
        return [(row["entity_id"], row["matched"]) for row in rows]

    async def count(self) -> int:
        """Return how many items are stored."""
        row = await self._db.fetchone(COUNT)
        return int(row[0]) if row else 0

