"""SQL for feeds, the servers that read them, and their fetch state."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import Feed
from bot.storage.db import Database, from_db, opt_from_db, to_db

GLOBAL: Final = 0  # feed_guilds.guild_id of the operator's own feeds, read for every server

_SELECT: Final = """
SELECT f.*, (SELECT group_concat(guild_id) FROM feed_guilds g WHERE g.feed_id = f.id) AS guild_ids
FROM feeds f
"""
INSERT_FEED: Final = """
INSERT INTO feeds (url, next_due_at, added_at) VALUES (:url, :now, :now)
ON CONFLICT (url) DO NOTHING
"""
INSERT_FEED_GUILD: Final = """
INSERT INTO feed_guilds (feed_id, guild_id, added_by, added_at)
SELECT id, :guild_id, :added_by, :now FROM feeds WHERE url = :url
ON CONFLICT DO NOTHING
"""
DELETE_FEED_GUILD: Final = """
DELETE FROM feed_guilds WHERE guild_id = :guild_id AND feed_id = (SELECT id FROM feeds WHERE url = :url)
"""
DELETE_ORPHANS: Final = "DELETE FROM feeds WHERE id NOT IN (SELECT feed_id FROM feed_guilds)"
DUE: Final = _SELECT + " WHERE f.paused = 0 AND f.next_due_at <= :now ORDER BY f.next_due_at, f.id"
RECORD_SUCCESS: Final = """
UPDATE feeds SET title = COALESCE(:title, title), etag = :etag, last_modified = :last_modified,
    body_hash = :body_hash, failures = 0, last_error = NULL, last_polled_at = :now, last_success_at = :now,
    next_due_at = :next_due_at, primed = 1
WHERE id = :id
"""
RECORD_NOT_MODIFIED: Final = """
UPDATE feeds SET failures = 0, last_error = NULL, last_polled_at = :now, last_success_at = :now,
    next_due_at = :next_due_at
WHERE id = :id
"""
RECORD_FAILURE: Final = """
UPDATE feeds SET failures = failures + 1, last_error = :error, last_polled_at = :now,
    next_due_at = :next_due_at, paused = :paused
WHERE id = :id
"""
RESUME: Final = "UPDATE feeds SET paused = 0, failures = 0, next_due_at = :now WHERE url = :url"
MAKE_ALL_DUE: Final = "UPDATE feeds SET next_due_at = :now WHERE paused = 0 AND next_due_at > :now"


def _feed(row: aiosqlite.Row) -> Feed:
    guilds = row["guild_ids"]
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        failures=row["failures"],
        last_error=row["last_error"],
        next_due_at=from_db(row["next_due_at"]),
        paused=bool(row["paused"]),
        primed=bool(row["primed"]),
        last_polled_at=opt_from_db(row["last_polled_at"]),
        last_success_at=opt_from_db(row["last_success_at"]),
        guild_ids=tuple(sorted(int(g) for g in guilds.split(","))) if guilds else (),
    )


class FeedStore:
    """Feeds, who reads them, and their health."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, url: str, *, now: datetime, guild_id: int = GLOBAL, added_by: int | None = None) -> Feed:
        """Add ``url`` to a server's feeds (or the global list); adding twice is harmless."""
        params = {"url": url, "now": to_db(now), "guild_id": guild_id, "added_by": added_by}
        async with self._db.transaction() as conn:
            await conn.execute(INSERT_FEED, params)
            await conn.execute(INSERT_FEED_GUILD, params)
        feed = await self.by_url(url)
        assert feed is not None  # just inserted in the transaction above
        return feed

    async def remove(self, url: str, *, guild_id: int = GLOBAL) -> bool:
        """Remove ``url`` from one server's feeds; the feed itself goes when nobody reads it. True if removed."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(DELETE_FEED_GUILD, {"url": url, "guild_id": guild_id})
            removed = cursor.rowcount > 0
            await conn.execute(DELETE_ORPHANS)
        return removed

    async def by_url(self, url: str) -> Feed | None:
        """Return the feed with this URL, if stored."""
        row = await self._db.fetchone(_SELECT + " WHERE f.url = :url", {"url": url})
        return _feed(row) if row else None

    async def get(self, feed_id: int) -> Feed | None:
        """Return a feed by id."""
        row = await self._db.fetchone(_SELECT + " WHERE f.id = :id", {"id": feed_id})
        return _feed(row) if row else None

    async def all(self, guild_id: int | None = None) -> list[Feed]:
        """Return every feed, or one server's own feeds (``guild_id``; GLOBAL for the operator's)."""
        if guild_id is None:
            rows = await self._db.fetchall(_SELECT + " ORDER BY f.id")
        else:
            where = " WHERE f.id IN (SELECT feed_id FROM feed_guilds WHERE guild_id = :guild_id) ORDER BY f.id"
            rows = await self._db.fetchall(_SELECT + where, {"guild_id": guild_id})
        return [_feed(r) for r in rows]

    async def due(self, now: datetime) -> list[Feed]:
        """Return the feeds due for a poll at ``now`` (never paused ones)."""
        return [_feed(r) for r in await self._db.fetchall(DUE, {"now": to_db(now)})]

    async def record_not_modified(self, feed_id: int, *, now: datetime, next_due_at: datetime) -> None:
        """Record a 304 or an unchanged body."""
        await self._db.execute(
            RECORD_NOT_MODIFIED, {"id": feed_id, "now": to_db(now), "next_due_at": to_db(next_due_at)}
        )

    async def record_failure(
        self, feed_id: int, *, now: datetime, error: str, next_due_at: datetime, paused: bool
    ) -> None:
        """Record a failed poll, when to try again, and whether the feed is now paused."""
        await self._db.execute(
            RECORD_FAILURE,
            {"id": feed_id, "now": to_db(now), "error": error[:500], "next_due_at": to_db(next_due_at),
             "paused": int(paused)},
        )

    async def resume(self, url: str, *, now: datetime) -> bool:
        """Un-pause a feed and make it due now. True if the feed exists."""
        return await self._db.execute(RESUME, {"url": url, "now": to_db(now)}) > 0

    async def make_all_due(self, now: datetime) -> None:
        """Bring every waiting feed's next poll forward to ``now`` (deadline mode starts)."""
        await self._db.execute(MAKE_ALL_DUE, {"now": to_db(now)})
