"""SQL for the outbox: deliveries committed to SQLite before anything is sent to Discord.

Life of a row: ``pending`` (due at ``next_attempt_at``) → ``sent`` (Discord confirmed; message id kept)
or ``dropped`` (the target refused it for good; ``last_error`` says why). Enqueueing an alert key for a
target that already has a row never adds a second row: a pending row just takes the newer item, and
a sent row becomes a pending ``edit`` of the message already posted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

import aiosqlite

from bot.storage.db import Database, from_db, to_db


class TargetKind(StrEnum):
    """Where a delivery goes: a server's alert channel (target id = guild id) or a user's DMs (user id)."""

    CHANNEL = "channel"
    DM = "dm"


class Status(StrEnum):
    """Where a row is in its life."""

    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"


class Action(StrEnum):
    """What delivering a pending row does: post a new message, or edit the one already posted."""

    SEND = "send"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery to enqueue: alert ``alert_key`` of item ``item_id`` to one target."""

    alert_key: str
    target_kind: TargetKind
    target_id: int
    guild_id: int
    item_id: int


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored delivery."""

    id: int
    alert_key: str
    target_kind: TargetKind
    target_id: int
    guild_id: int
    channel_id: int | None
    item_id: int
    action: Action
    status: Status
    attempts: int
    next_attempt_at: datetime
    message_id: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """How many rows an enqueue added, and how many sent rows it turned into pending edits."""

    added: int = 0
    edits: int = 0


# A pending row only takes the newer item; a sent row becomes a pending edit of its message.
# Dropped rows stay dropped: their target refused deliveries for good.
ENQUEUE: Final = """
INSERT INTO outbox (alert_key, target_kind, target_id, guild_id, item_id, next_attempt_at, created_at, updated_at)
VALUES (:alert_key, :target_kind, :target_id, :guild_id, :item_id, :now, :now, :now)
ON CONFLICT (alert_key, target_kind, target_id) DO UPDATE SET
    item_id = excluded.item_id,
    action = CASE WHEN status = 'sent' THEN 'edit' ELSE action END,
    attempts = CASE WHEN status = 'sent' THEN 0 ELSE attempts END,
    next_attempt_at = CASE WHEN status = 'sent' THEN excluded.next_attempt_at ELSE next_attempt_at END,
    status = CASE WHEN status = 'sent' THEN 'pending' ELSE status END,
    updated_at = excluded.updated_at
WHERE status <> 'dropped'
"""
ALERTS_FOR_STORIES: Final = """
SELECT story_key, alert_key FROM alert_stories WHERE story_key IN (SELECT value FROM json_each(:keys))
"""
REMEMBER_STORY: Final = """
INSERT INTO alert_stories (story_key, alert_key) VALUES (:story_key, :alert_key) ON CONFLICT DO NOTHING
"""
DUE: Final = """
SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= :now
ORDER BY next_attempt_at, id LIMIT :limit
"""
NEXT_DUE: Final = "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'"
GET: Final = "SELECT * FROM outbox WHERE id = :id"
FIND: Final = """
SELECT * FROM outbox WHERE alert_key = :alert_key AND target_kind = :target_kind AND target_id = :target_id
"""
MARK_SENT: Final = """
UPDATE outbox SET status = 'sent', message_id = :message_id, channel_id = :channel_id, last_error = NULL,
    updated_at = :now
WHERE id = :id AND status = 'pending'
"""
RESCHEDULE: Final = """
UPDATE outbox SET attempts = attempts + :count, next_attempt_at = :at, last_error = :error, updated_at = :now
WHERE id = :id AND status = 'pending'
"""
# An edit whose message was deleted becomes a fresh send.
TO_SEND: Final = """
UPDATE outbox SET action = 'send', message_id = NULL, updated_at = :now WHERE id = :id AND status = 'pending'
"""
DROP: Final = """
UPDATE outbox SET status = 'dropped', last_error = :reason, updated_at = :now WHERE id = :id AND status = 'pending'
"""
DROP_CHANNEL_ROWS: Final = """
UPDATE outbox SET status = 'dropped', last_error = :reason, updated_at = :now
WHERE guild_id = :guild_id AND target_kind = 'channel' AND status = 'pending'
"""
DROP_DM_ROWS: Final = """
UPDATE outbox SET status = 'dropped', last_error = :reason, updated_at = :now
WHERE target_id = :user_id AND target_kind = 'dm' AND status = 'pending'
"""
COUNT_PENDING: Final = "SELECT count(*) FROM outbox WHERE status = 'pending'"
COUNT_PENDING_GUILD: Final = """
SELECT count(*) FROM outbox WHERE status = 'pending' AND guild_id = :guild_id AND target_kind = 'channel'
"""


def _row(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        alert_key=row["alert_key"],
        target_kind=TargetKind(row["target_kind"]),
        target_id=row["target_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        item_id=row["item_id"],
        action=Action(row["action"]),
        status=Status(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=from_db(row["next_attempt_at"]),
        message_id=row["message_id"],
        last_error=row["last_error"],
    )


class OutboxStore:
    """The persistent queue of channel posts and DMs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def alerts_for_stories(self, story_keys: Iterable[str]) -> dict[str, str]:
        """The alert key already carrying each of these story keys (``story:<id>:<stage>``), where one does."""
        rows = await self._db.fetchall(ALERTS_FOR_STORIES, {"keys": json.dumps(sorted(set(story_keys)))})
        return {str(r["story_key"]): str(r["alert_key"]) for r in rows}

    async def enqueue(
        self, deliveries: Sequence[Delivery], *, now: datetime, stories: Mapping[str, Iterable[str]] | None = None
    ) -> EnqueueResult:
        """Commit deliveries in one transaction (before anything is sent); duplicates update, never add.

        ``stories`` records, in the same transaction, which story keys each alert key carries (the
        first alert to carry a story keeps it), so later reports of them edit that alert.
        """
        added = edits = 0
        async with self._db.transaction() as conn:
            await conn.executemany(
                REMEMBER_STORY,
                [{"alert_key": a, "story_key": k} for a, keys in (stories or {}).items() for k in keys],
            )
            for d in deliveries:
                params = {
                    "alert_key": d.alert_key,
                    "target_kind": d.target_kind.value,
                    "target_id": d.target_id,
                    "guild_id": d.guild_id,
                    "item_id": d.item_id,
                    "now": to_db(now),
                }
                async with conn.execute(FIND, params) as cursor:
                    existing = await cursor.fetchone()
                await conn.execute(ENQUEUE, params)
                added += existing is None
                edits += existing is not None and existing["status"] == Status.SENT.value
        return EnqueueResult(added, edits)

    async def due(self, now: datetime, *, limit: int = 50) -> list[OutboxRow]:
        """Pending rows whose next attempt is due at ``now``, oldest first."""
        return [_row(r) for r in await self._db.fetchall(DUE, {"now": to_db(now), "limit": limit})]

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending row is due, if any is pending."""
        row = await self._db.fetchone(NEXT_DUE)
        return None if row is None or row[0] is None else from_db(row[0])

    async def get(self, row_id: int) -> OutboxRow | None:
        """Return one row."""
        row = await self._db.fetchone(GET, {"id": row_id})
        return _row(row) if row else None

    async def find(self, alert_key: str, target_kind: TargetKind, target_id: int) -> OutboxRow | None:
        """Return the row of one alert for one target, if any."""
        params = {"alert_key": alert_key, "target_kind": target_kind.value, "target_id": target_id}
        row = await self._db.fetchone(FIND, params)
        return _row(row) if row else None

    async def mark_sent(self, row_id: int, *, message_id: int, channel_id: int, now: datetime) -> bool:
        """Record that Discord confirmed the message. False if the row was no longer pending."""
        params = {"id": row_id, "message_id": message_id, "channel_id": channel_id, "now": to_db(now)}
        return await self._db.execute(MARK_SENT, params) > 0

    async def reschedule(
        self, row_id: int, *, at: datetime, error: str, now: datetime, count_attempt: bool = True
    ) -> None:
        """Try again at ``at``; ``count_attempt=False`` for rate limits, which never count towards giving up."""
        params = {"id": row_id, "at": to_db(at), "error": error[:500], "now": to_db(now), "count": int(count_attempt)}
        await self._db.execute(RESCHEDULE, params)

    async def convert_to_send(self, row_id: int, *, now: datetime) -> None:
        """Turn a pending edit into a send (the message to edit is gone)."""
        await self._db.execute(TO_SEND, {"id": row_id, "now": to_db(now)})

    async def drop(self, row_id: int, reason: str, *, now: datetime) -> None:
        """Give up one row, recording why."""
        await self._db.execute(DROP, {"id": row_id, "reason": reason[:500], "now": to_db(now)})

    async def drop_channel_rows(self, guild_id: int, reason: str, *, now: datetime) -> int:
        """Give up every pending channel delivery of a server; return how many."""
        return await self._db.execute(DROP_CHANNEL_ROWS, {"guild_id": guild_id, "reason": reason[:500],
                                                          "now": to_db(now)})

    async def drop_dm_rows(self, user_id: int, reason: str, *, now: datetime) -> int:
        """Give up every pending DM to a user; return how many."""
        return await self._db.execute(DROP_DM_ROWS, {"user_id": user_id, "reason": reason[:500], "now": to_db(now)})

    async def pending_count(self, guild_id: int | None = None) -> int:
        """Pending deliveries overall, or one server's pending channel deliveries."""
        if guild_id is None:
            row = await self._db.fetchone(COUNT_PENDING)
        else:
            row = await self._db.fetchone(COUNT_PENDING_GUILD, {"guild_id": guild_id})
        return int(row[0]) if row else 0
