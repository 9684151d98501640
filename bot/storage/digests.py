"""SQL for digests (issue 12): who gets one and when, a server's time zone and minimum live stage, what a
digest covers (the follows of a server or of one member), and enqueueing a digest with its next time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Final

import aiosqlite

from bot.models import SERVER, Delivery, DigestSubscription, Stage
from bot.storage.db import Database, from_db, to_db
from bot.storage.outbox import insert_once

# Setting a digest again clears a recorded channel failure: the admin has fixed (or replaced) it.
SET: Final = """
INSERT INTO digests (guild_id, user_id, channel_id, local_time, next_at, created_at, updated_at)
VALUES (:guild_id, :user_id, :channel_id, :local_time, :next_at, :now, :now)
ON CONFLICT (guild_id, user_id) DO UPDATE SET channel_id = :channel_id, local_time = :local_time,
    next_at = :next_at, failure = NULL, updated_at = :now
"""
REMOVE: Final = "DELETE FROM digests WHERE guild_id = :guild_id AND user_id = :user_id"
GET: Final = "SELECT * FROM digests WHERE guild_id = :guild_id AND user_id = :user_id"
OF_GUILD: Final = "SELECT * FROM digests WHERE guild_id = :guild_id ORDER BY user_id"
DUE: Final = "SELECT * FROM digests WHERE failure IS NULL AND next_at <= :now ORDER BY next_at LIMIT :limit"
# Only the run that read this next_at moves it on: two runs at once never both enqueue.
ADVANCE: Final = """
UPDATE digests SET next_at = :next_at, updated_at = :now
WHERE guild_id = :guild_id AND user_id = :user_id AND next_at = :was
"""
RESCHEDULE: Final = """
UPDATE digests SET next_at = :next_at, updated_at = :now WHERE guild_id = :guild_id AND user_id = :user_id
"""
RECORD_FAILURE: Final = """
UPDATE digests SET failure = :reason, updated_at = :now WHERE guild_id = :guild_id AND user_id = :user_id
    AND failure IS NULL
"""
SET_TIMEZONE: Final = """
INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (:guild_id, :zone, :now)
ON CONFLICT (guild_id) DO UPDATE SET timezone = :zone, updated_at = :now
"""
SET_MIN_STAGE: Final = """
INSERT INTO guild_settings (guild_id, min_stage, updated_at) VALUES (:guild_id, :stage, :now)
ON CONFLICT (guild_id) DO UPDATE SET min_stage = :stage, updated_at = :now
"""
# What a digest covers: every follow of the server's members, or one member's follows there.
FOLLOWED: Final = """
SELECT DISTINCT entity_id, term FROM follows WHERE guild_id = :guild_id AND (:user_id = 0 OR user_id = :user_id)
"""


def _digest(row: aiosqlite.Row) -> DigestSubscription:
    return DigestSubscription(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        channel_id=row["channel_id"],
        local_time=time.fromisoformat(row["local_time"]),
        next_at=from_db(row["next_at"]),
        failure=row["failure"],
    )


class DigestStore:
    """Digest subscriptions and the server settings they depend on."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(self, digest: DigestSubscription, *, now: datetime) -> None:
        """Create or replace a digest (clearing a recorded failure)."""
        await self._db.execute(SET, {
            "guild_id": digest.guild_id, "user_id": digest.user_id, "channel_id": digest.channel_id,
            "local_time": digest.local_time.strftime("%H:%M"), "next_at": to_db(digest.next_at), "now": to_db(now),
        })

    async def remove(self, guild_id: int, user_id: int) -> bool:
        """Stop a digest. True if there was one."""
        return await self._db.execute(REMOVE, {"guild_id": guild_id, "user_id": user_id}) > 0

    async def get(self, guild_id: int, user_id: int) -> DigestSubscription | None:
        """A server's digest (``user_id`` 0) or a member's, if set."""
        row = await self._db.fetchone(GET, {"guild_id": guild_id, "user_id": user_id})
        return _digest(row) if row else None

    async def of_guild(self, guild_id: int) -> list[DigestSubscription]:
        """Every digest of a server: its own first, then its members'."""
        return [_digest(r) for r in await self._db.fetchall(OF_GUILD, {"guild_id": guild_id})]

    async def due(self, now: datetime, *, limit: int = 200) -> list[DigestSubscription]:
        """Digests due at ``now`` (not stopped by a failure), the most overdue first."""
        return [_digest(r) for r in await self._db.fetchall(DUE, {"now": to_db(now), "limit": limit})]

    async def advance(
        self, digest: DigestSubscription, next_at: datetime, *, delivery: Delivery | None, now: datetime
    ) -> bool:
        """In one transaction: enqueue this run's delivery (unless its day's already is) and move to ``next_at``.

        True if a delivery was added; False if the day's was already there, there was none, or another run
        had already moved this digest on (then nothing is written).
        """
        params = {"guild_id": digest.guild_id, "user_id": digest.user_id, "was": to_db(digest.next_at),
                  "next_at": to_db(next_at), "now": to_db(now)}
        async with self._db.transaction() as conn:
            async with conn.execute(ADVANCE, params) as cursor:
                if cursor.rowcount == 0:
                    return False
            return delivery is not None and await insert_once(conn, delivery, now=now)

    async def set_timezone(self, guild_id: int, zone: str, next_at: Mapping[int, datetime], *, now: datetime) -> None:
        """Set a server's time zone and, in the same transaction, its digests' next times (by user id)."""
        async with self._db.transaction() as conn:
            await conn.execute(SET_TIMEZONE, {"guild_id": guild_id, "zone": zone, "now": to_db(now)})
            await conn.executemany(RESCHEDULE, [
                {"guild_id": guild_id, "user_id": user_id, "next_at": to_db(at), "now": to_db(now)}
                for user_id, at in next_at.items()
            ])

    async def set_min_stage(self, guild_id: int, stage: Stage | None, *, now: datetime) -> None:
        """Alert live in the channel only from ``stage`` on (None: every stage)."""
        params = {"guild_id": guild_id, "stage": stage.value if stage else None, "now": to_db(now)}
        await self._db.execute(SET_MIN_STAGE, params)

    async def record_failure(self, guild_id: int, reason: str, *, now: datetime) -> bool:
        """Stop a server's digest whose channel Discord refused. True if this is a new failure."""
        params = {"guild_id": guild_id, "user_id": SERVER, "reason": reason[:300], "now": to_db(now)}
        return await self._db.execute(RECORD_FAILURE, params) > 0

    async def followed(self, guild_id: int, user_id: int) -> tuple[list[str], list[str]]:
        """What a digest covers: (entity ids, terms) followed in a server, by everyone (``user_id`` 0) or one member."""
        rows = await self._db.fetchall(FOLLOWED, {"guild_id": guild_id, "user_id": user_id})
        entities = sorted({r["entity_id"] for r in rows if r["entity_id"]})
        terms = sorted({r["term"] for r in rows if r["term"]})
        return entities, terms
