"""SQL for the move log: every club change of a player (learnt from the news, the operator's, imported),
the review queue, and what `undo` restores.

Applying a move writes three things in one transaction: the log row (with the player's state before,
which is what `undo` restores), the ``player_moves`` override (re-applied over the seeds after every
re-sync) and the player's ``entities`` row. Each change also bumps a counter in ``meta``, so that a
running bot notices an operator's approve/undo and reloads the clubs it changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import aiosqlite

from bot.storage.db import Database, from_db, opt_from_db, to_db

CHANGES_KEY: Final = "catalogue_moves_changed"
BUMP_CHANGES: Final = f"""
INSERT INTO meta (key, value) VALUES ('{CHANGES_KEY}', '1')
ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
"""
GET_CHANGES: Final = f"SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{CHANGES_KEY}'"

# A new log row; an applied one records the player's state before it (entities row and override).
LOG_MOVE: Final = """
INSERT INTO move_log (player_id, to_club_id, loan_from, deal, effective, status, origin, rule, story_id, outlets,
    note, prev_club_id, prev_loan_from, prev_as_of, prev_override, created_at, decided_at)
SELECT :player_id, :to_club_id, :loan_from, :deal, :effective, :status, :origin, :rule, :story_id, :outlets, :note,
    e.club_id, m.loan_from, e.as_of, m.entity_id IS NOT NULL, :now,
    CASE WHEN :status = 'pending' THEN NULL ELSE :now END
FROM entities e LEFT JOIN player_moves m ON m.entity_id = e.id
WHERE e.id = :player_id
ON CONFLICT DO NOTHING
"""
# Approving a queued move: its "before" is the player's state now, not when it was queued.
MARK_APPLIED: Final = """
UPDATE move_log SET status = 'applied', decided_at = :now,
    prev_club_id = (SELECT club_id FROM entities WHERE id = move_log.player_id),
    prev_as_of = (SELECT as_of FROM entities WHERE id = move_log.player_id),
    prev_loan_from = (SELECT loan_from FROM player_moves WHERE entity_id = move_log.player_id),
    prev_override = EXISTS (SELECT 1 FROM player_moves WHERE entity_id = move_log.player_id)
WHERE id = :id AND status = 'pending'
"""
SET_STATUS: Final = "UPDATE move_log SET status = :status, decided_at = :now WHERE id = :id AND status = :was"
UPSERT_OVERRIDE: Final = """
INSERT INTO player_moves (entity_id, club_id, loan_from, as_of, moved_at)
VALUES (:player_id, :to_club_id, :loan_from, :effective, :now)
ON CONFLICT (entity_id) DO UPDATE SET club_id = excluded.club_id, loan_from = excluded.loan_from,
    as_of = excluded.as_of, moved_at = excluded.moved_at
"""
DELETE_OVERRIDE: Final = "DELETE FROM player_moves WHERE entity_id = :player_id"
UPDATE_ENTITY: Final = "UPDATE entities SET club_id = :to_club_id, as_of = :effective WHERE id = :player_id"

_SELECT: Final = "SELECT * FROM move_log"
DECIDED_STORIES: Final = "SELECT story_id FROM move_log WHERE story_id IN (SELECT value FROM json_each(:ids))"
LOAN_PARENT: Final = "SELECT loan_from FROM player_moves WHERE entity_id = :id"
# Every player the log ever moved, as stored now: what a running bot reloads after an operator's change.
MOVED_PLAYERS: Final = """
SELECT e.id, e.club_id, e.as_of FROM entities e WHERE e.id IN (SELECT DISTINCT player_id FROM move_log)
"""


@dataclass(frozen=True, slots=True)
class NewMove:
    """A club change to log: ``to_club_id`` None means he left for a club outside the catalogue."""

    player_id: str
    to_club_id: str | None
    effective: str
    origin: str  # 'news', 'operator' or 'import'
    loan_from: str | None = None
    deal: str | None = None
    rule: str | None = None
    story_id: int | None = None
    outlets: tuple[str, ...] = ()
    note: str | None = None

    def row(self, *, status: str, now: datetime) -> dict[str, Any]:
        """Named parameters for LOG_MOVE, UPSERT_OVERRIDE and UPDATE_ENTITY."""
        return {
            "player_id": self.player_id, "to_club_id": self.to_club_id, "loan_from": self.loan_from,
            "deal": self.deal, "effective": self.effective, "status": status, "origin": self.origin,
            "rule": self.rule, "story_id": self.story_id, "outlets": json.dumps(list(self.outlets)),
            "note": self.note, "now": to_db(now),
        }


@dataclass(frozen=True, slots=True)
class LoggedMove:
    """A row of the move log."""

    id: int
    player_id: str
    to_club_id: str | None
    loan_from: str | None
    deal: str | None
    effective: str
    status: str
    origin: str
    rule: str | None
    story_id: int | None
    outlets: tuple[str, ...]
    note: str | None
    prev_club_id: str | None
    prev_loan_from: str | None
    prev_as_of: str | None
    prev_override: bool
    created_at: datetime
    decided_at: datetime | None = field(default=None)


def _logged(row: aiosqlite.Row) -> LoggedMove:
    return LoggedMove(
        id=int(row["id"]), player_id=row["player_id"], to_club_id=row["to_club_id"], loan_from=row["loan_from"],
        deal=row["deal"], effective=row["effective"], status=row["status"], origin=row["origin"], rule=row["rule"],
        story_id=row["story_id"], outlets=tuple(json.loads(row["outlets"])), note=row["note"],
        prev_club_id=row["prev_club_id"], prev_loan_from=row["prev_loan_from"], prev_as_of=row["prev_as_of"],
        prev_override=bool(row["prev_override"]), created_at=from_db(row["created_at"]),
        decided_at=opt_from_db(row["decided_at"]),
    )


async def log_applied(conn: aiosqlite.Connection, moves: Sequence[NewMove], *, now: datetime) -> None:
    """Inside a write transaction: log and apply many moves (imports use this with thousands at once)."""
    rows = [m.row(status="applied", now=now) for m in moves]
    await conn.executemany(LOG_MOVE, rows)
    await conn.executemany(UPSERT_OVERRIDE, rows)
    await conn.executemany(UPDATE_ENTITY, rows)


async def bump_changes(conn: aiosqlite.Connection) -> int:
    """Inside a write transaction: count one more catalogue change; return the new count."""
    await conn.execute(BUMP_CHANGES)
    async with conn.execute(GET_CHANGES) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


class MoveStore:
    """The move log and the review queue."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, move: NewMove, *, apply: bool, now: datetime) -> tuple[int | None, int]:
        """Log a move, applied at once (``apply``) or pending; return (its id, the change count).

        The id is None when nothing was logged: the story's move was decided before, or the player is
        not stored.
        """
        row = move.row(status="applied" if apply else "pending", now=now)
        async with self._db.transaction() as conn:
            async with conn.execute(LOG_MOVE, row) as cursor:
                move_id = cursor.lastrowid if cursor.rowcount == 1 else None
            if move_id is not None and apply:
                await conn.execute(UPSERT_OVERRIDE, row)
                await conn.execute(UPDATE_ENTITY, row)
            return move_id, await bump_changes(conn)

    async def approve(self, move_id: int, *, now: datetime) -> LoggedMove | None:
        """Apply a pending move; return it as logged (None if it was not pending)."""
        async with self._db.transaction() as conn:
            async with conn.execute(MARK_APPLIED, {"id": move_id, "now": to_db(now)}) as cursor:
                if cursor.rowcount != 1:
                    return None
            move = await self._get(conn, move_id)
            row = {"player_id": move.player_id, "to_club_id": move.to_club_id, "loan_from": move.loan_from,
                   "effective": move.effective, "now": to_db(now)}
            await conn.execute(UPSERT_OVERRIDE, row)
            await conn.execute(UPDATE_ENTITY, row)
            await bump_changes(conn)
        return move

    async def reject(self, move_id: int, *, now: datetime) -> bool:
        """Reject a pending move (it stays in the log); False if it was not pending."""
        async with self._db.transaction() as conn:
            params = {"id": move_id, "status": "rejected", "was": "pending", "now": to_db(now)}
            async with conn.execute(SET_STATUS, params) as cursor:
                done = cursor.rowcount == 1
            await bump_changes(conn)
        return done

    async def undo(self, move_id: int, *, now: datetime) -> LoggedMove | None:
        """Put the player back as he was before an applied move; return the move (None if not applied)."""
        async with self._db.transaction() as conn:
            params = {"id": move_id, "status": "undone", "was": "applied", "now": to_db(now)}
            async with conn.execute(SET_STATUS, params) as cursor:
                if cursor.rowcount != 1:
                    return None
            move = await self._get(conn, move_id)
            before = {"player_id": move.player_id, "to_club_id": move.prev_club_id, "loan_from": move.prev_loan_from,
                      "effective": move.prev_as_of or move.effective, "now": to_db(now)}
            await conn.execute(UPDATE_ENTITY, before)
            await conn.execute(UPSERT_OVERRIDE if move.prev_override else DELETE_OVERRIDE, before)
            await bump_changes(conn)
        return move

    @staticmethod
    async def _get(conn: aiosqlite.Connection, move_id: int) -> LoggedMove:
        async with conn.execute(_SELECT + " WHERE id = :id", {"id": move_id}) as cursor:
            row = await cursor.fetchone()
        assert row is not None  # just updated in this transaction
        return _logged(row)

    async def get(self, move_id: int) -> LoggedMove | None:
        """One logged move."""
        row = await self._db.fetchone(_SELECT + " WHERE id = :id", {"id": move_id})
        return _logged(row) if row else None

    async def listing(self, *, pending_only: bool = False, limit: int = 50) -> list[LoggedMove]:
        """The newest logged moves first (only the queue with ``pending_only``)."""
        where = " WHERE status = 'pending'" if pending_only else ""
        rows = await self._db.fetchall(_SELECT + where + " ORDER BY id DESC LIMIT :limit", {"limit": limit})
        return [_logged(r) for r in rows]

    async def history(self, player_id: str) -> list[LoggedMove]:
        """One player's logged moves, oldest first."""
        rows = await self._db.fetchall(_SELECT + " WHERE player_id = :id ORDER BY id", {"id": player_id})
        return [_logged(r) for r in rows]

    async def decided_stories(self, story_ids: Iterable[int]) -> set[int]:
        """Those of ``story_ids`` whose move was already logged (applied, pending, rejected or undone)."""
        rows = await self._db.fetchall(DECIDED_STORIES, {"ids": json.dumps(sorted(set(story_ids)))})
        return {int(r[0]) for r in rows}

    async def loan_parent(self, player_id: str) -> str | None:
        """The parent club of a player on loan now, if he is."""
        row = await self._db.fetchone(LOAN_PARENT, {"id": player_id})
        return None if row is None else row[0]

    async def changes(self) -> int:
        """How many times the log changed the catalogue (a running bot compares it to reload)."""
        row = await self._db.fetchone(GET_CHANGES)
        return int(row[0]) if row and row[0] is not None else 0

    async def moved_players(self) -> list[tuple[str, str | None, str | None]]:
        """(player id, club id, as_of) as stored now, for every player the log ever moved."""
        return [(r[0], r[1], r[2]) for r in await self._db.fetchall(MOVED_PLAYERS)]
