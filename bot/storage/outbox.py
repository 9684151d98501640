"""SQL for the outbox: deliveries committed to SQLite before anything is sent to Discord.

Life of a row: ``pending`` (due at ``next_attempt_at``) → ``sent`` (Discord confirmed; message id kept)
or ``dropped`` (the target refused it for good; ``last_error`` says why). Enqueueing an alert key for a
target that already has a row never adds a second row: a pending row just takes the newer item, and
a sent row becomes a pending ``edit`` of the message already posted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import Action, AlertKey, Delivery, EnqueueResult, OutboxRow, Status, TargetKind
from bot.storage.db import Database, from_db, to_db
from bot.storage.meta import SET as SET_META

# A pending row only takes the newer item; a sent row becomes a pending edit of its message.
# Dropped rows stay dropped: their target refused deliveries for good.
# A pending row's first message pings every role either plan wanted; a sent row's roles no longer matter
# (an edit never pings) and stay as they were, for "Why?".
ENQUEUE: Final = """
INSERT INTO outbox (alert_key, target_kind, target_id, guild_id, item_id, ping_roles, next_attempt_at, created_at,
    updated_at)
VALUES (:alert_key, :target_kind, :target_id, :guild_id, :item_id, :ping_roles, :now, :now, :now)
ON CONFLICT (alert_key, target_kind, target_id) DO UPDATE SET
    item_id = excluded.item_id,
    ping_roles = CASE WHEN status = 'sent' THEN ping_roles ELSE (
        SELECT json_group_array(value) FROM (
            SELECT value FROM json_each(outbox.ping_roles) UNION SELECT value FROM json_each(excluded.ping_roles)
        )
    ) END,
    action = CASE WHEN status = 'sent' THEN 'edit' ELSE action END,
    attempts = CASE WHEN status = 'sent' THEN 0 ELSE attempts END,
    next_attempt_at = CASE WHEN status = 'sent' THEN excluded.next_attempt_at ELSE next_attempt_at END,
    status = CASE WHEN status = 'sent' THEN 'pending' ELSE status END,
    updated_at = excluded.updated_at
WHERE status <> 'dropped'
"""
# A digest is enqueued once: a second run for the same day and target changes nothing (not even a sent row).
ENQUEUE_ONCE: Final = """
INSERT INTO outbox (alert_key, target_kind, target_id, guild_id, item_id, next_attempt_at, created_at, updated_at)
VALUES (:alert_key, :target_kind, :target_id, :guild_id, :item_id, :now, :now, :now)
ON CONFLICT (alert_key, target_kind, target_id) DO NOTHING
"""
ALERTS_FOR_STORIES: Final = """
SELECT story_key, alert_key FROM alert_stories WHERE story_key IN (SELECT value FROM json_each(:keys))
"""
REMEMBER_STORY: Final = """
INSERT INTO alert_stories (story_key, alert_key) VALUES (:story_key, :alert_key) ON CONFLICT DO NOTHING
"""
EXISTING_OF_KEYS: Final = """
SELECT alert_key, target_kind, target_id, status FROM outbox WHERE alert_key IN (SELECT value FROM json_each(:keys))
"""
# skip: routes already being delivered, as "kind:target" strings (their rows must not fill the batch).
DUE: Final = """
SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= :now
    AND target_kind || ':' || target_id NOT IN (SELECT value FROM json_each(:skip))
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
# Rows waiting behind a failed row of their route: never earlier than its retry, never counted as attempts.
DEFER: Final = """
UPDATE outbox SET next_attempt_at = max(next_attempt_at, :at), updated_at = :now
WHERE id IN (SELECT value FROM json_each(:ids)) AND status = 'pending'
"""
# An edit whose message was deleted becomes a fresh send.
TO_SEND: Final = """
UPDATE outbox SET action = 'send', message_id = NULL, updated_at = :now WHERE id = :id AND status = 'pending'
"""
DROP: Final = """
UPDATE outbox SET status = 'dropped', last_error = :reason, updated_at = :now WHERE id = :id AND status = 'pending'
"""
# The alert channel failed: its alerts are dropped, not the server's digest (it has its own channel).
DROP_CHANNEL_ROWS: Final = """
UPDATE outbox SET status = 'dropped', last_error = :reason, updated_at = :now
WHERE guild_id = :guild_id AND target_kind = 'channel' AND status = 'pending' AND alert_key NOT LIKE 'digest:%'
"""
DROP_DM_ROWS: Final = """
UPDATE outbox SET status = 'dropped', last_error = :reason, updated_at = :now
WHERE target_id = :user_id AND target_kind = 'dm' AND status = 'pending'
"""
COUNT_PENDING: Final = "SELECT count(*) FROM outbox WHERE status = 'pending'"
COUNT_PENDING_GUILD: Final = """
SELECT count(*) FROM outbox WHERE status = 'pending' AND guild_id = :guild_id AND target_kind = 'channel'
"""


async def insert_once(conn: aiosqlite.Connection, delivery: Delivery, *, now: datetime) -> bool:
    """Inside a write transaction: add a delivery unless its (key, target) already has a row. True if added."""
    params = {
        "alert_key": str(delivery.alert_key),
        "target_kind": delivery.target_kind.value,
        "target_id": delivery.target_id,
        "guild_id": delivery.guild_id,
        "item_id": delivery.item_id,
        "now": to_db(now),
    }
    async with conn.execute(ENQUEUE_ONCE, params) as cursor:
        return cursor.rowcount > 0


def _row(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        alert_key=AlertKey.parse(row["alert_key"]),
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
        ping_roles=tuple(int(r) for r in json.loads(row["ping_roles"])),
    )


class OutboxStore:
    """The persistent queue of channel posts and DMs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def alerts_for_stories(self, story_keys: Iterable[AlertKey]) -> dict[AlertKey, AlertKey]:
        """The alert key already carrying each of these story keys, where one does."""
        rows = await self._db.fetchall(ALERTS_FOR_STORIES, {"keys": json.dumps(sorted({str(k) for k in story_keys}))})
        return {AlertKey.parse(r["story_key"]): AlertKey.parse(r["alert_key"]) for r in rows}

    async def enqueue(
        self,
        deliveries: Sequence[Delivery],
        *,
        now: datetime,
        stories: Mapping[AlertKey, Iterable[AlertKey]] | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> EnqueueResult:
        """Commit deliveries in one transaction (before anything is sent); duplicates update, never add.

        ``stories`` records, in the same transaction, which story keys each alert key carries (the
        first alert to carry a story keeps it), so later reports of them edit that alert. ``meta``
        values (the pipeline's "planned through" watermark) are written in the same transaction, so
        a crash never leaves deliveries without their watermark or the other way round. The counts
        are read before the write, so the lock is held only for the batch insert.
        """
        at = to_db(now)
        # An alert has thousands of rows sharing a few keys and ping lists: each is made text once.
        keys_text = {key: str(key) for key in {d.alert_key for d in deliveries}}
        pings_text = {roles: json.dumps(sorted(set(roles))) for roles in {d.ping_roles for d in deliveries}}
        rows = [
            {
                "alert_key": keys_text[d.alert_key],
                "target_kind": d.target_kind.value,
                "target_id": d.target_id,
                "guild_id": d.guild_id,
                "item_id": d.item_id,
                "ping_roles": pings_text[d.ping_roles],
                "now": at,
            }
            for d in deliveries
        ]
        keys = sorted({r["alert_key"] for r in rows})
        existing = {
            (r["alert_key"], r["target_kind"], r["target_id"]): r["status"]
            for r in await self._db.fetchall(EXISTING_OF_KEYS, {"keys": json.dumps(keys)})
        } if keys else {}
        async with self._db.transaction() as conn:
            await conn.executemany(
                REMEMBER_STORY,
                [{"alert_key": str(a), "story_key": str(k)} for a, ks in (stories or {}).items() for k in ks],
            )
            await conn.executemany(ENQUEUE, rows)
            await conn.executemany(SET_META, [{"key": k, "value": v} for k, v in (meta or {}).items()])
        states = [existing.get((r["alert_key"], r["target_kind"], r["target_id"])) for r in rows]
        return EnqueueResult(sum(s is None for s in states), sum(s == Status.SENT.value for s in states))

    async def due(
        self, now: datetime, *, limit: int = 50, skip_routes: Iterable[tuple[TargetKind, int]] = ()
    ) -> list[OutboxRow]:
        """Pending rows whose next attempt is due at ``now``, oldest first, except those of ``skip_routes``."""
        skip = json.dumps([f"{kind.value}:{target}" for kind, target in skip_routes])
        return [_row(r) for r in await self._db.fetchall(DUE, {"now": to_db(now), "limit": limit, "skip": skip})]

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending row is due, if any is pending."""
        row = await self._db.fetchone(NEXT_DUE)
        return None if row is None or row[0] is None else from_db(row[0])

    async def get(self, row_id: int) -> OutboxRow | None:
        """Return one row."""
        row = await self._db.fetchone(GET, {"id": row_id})
        return _row(row) if row else None

    async def find(self, alert_key: AlertKey, target_kind: TargetKind, target_id: int) -> OutboxRow | None:
        """Return the row of one alert for one target, if any."""
        params = {"alert_key": str(alert_key), "target_kind": target_kind.value, "target_id": target_id}
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

    async def defer(self, row_ids: Sequence[int], *, at: datetime, now: datetime) -> None:
        """Make pending rows wait until at least ``at`` (behind a failed row of their route)."""
        if row_ids:
            await self._db.execute(DEFER, {"ids": json.dumps(list(row_ids)), "at": to_db(at), "now": to_db(now)})

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
