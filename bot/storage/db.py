"""The one aiosqlite connection, its transactions, and numbered migrations.

One connection serves the whole process (aiosqlite runs every statement on one worker thread). A
shared connection means a shared transaction, so every transaction and every read holds one
``asyncio.Lock``; read-then-write transactions start with ``BEGIN IMMEDIATE`` so that a second
process waits on the busy timeout instead of failing with SQLITE_BUSY_SNAPSHOT.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import StorageError

log = logging.getLogger(__name__)

Params = Mapping[str, Any] | Sequence[Any]
_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


def to_db(moment: datetime) -> str:
    """Store a datetime as ISO-8601 UTC text (naive datetimes are refused: they are bugs)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    """Read a datetime stored by ``to_db``."""
    return datetime.fromisoformat(text)


def opt_from_db(text: str | None) -> datetime | None:
    """Read an optional datetime."""
    return None if text is None else from_db(text)


class Database:
    """Owns the connection; use ``transaction()`` for writes and ``fetchall``/``fetchone`` for reads."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if needed) the database file and apply pragmas and pending migrations."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None, timeout=5.0)
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot open the database at {path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn)
        try:
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=5000"):
                await conn.execute(f"PRAGMA {pragma}")
            await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection (its worker thread is not a daemon: an open one would hang exit)."""
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block in one ``BEGIN IMMEDIATE`` transaction, committed on success, rolled back on error."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a read query and return every row."""
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a read query and return its first row, if any."""
        async with self._lock, self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; return the number of changed rows."""
        async with self.transaction() as conn, conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one write statement for many rows in one transaction."""
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def user_version(self) -> int:
        """Return the schema version recorded in ``PRAGMA user_version``."""
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> list[int]:
        """Apply every migration newer than ``user_version``, each in its own transaction; return those applied."""
        current = await self.user_version()
        applied = []
        for number, sql in available_migrations():
            if number <= current:
                continue
            async with self._lock:
                try:
                    # executescript runs the file as written, so the transaction is spelled out in it.
                    script = f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {number};\nCOMMIT;"
                    await self._conn.executescript(script)
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.rollback()
                    raise StorageError(f"Database migration {number:04d} failed: {exc}") from exc
            log.info("applied database migration %04d", number)
            applied.append(number)
        return applied


def available_migrations() -> list[tuple[int, str]]:
    """Return (number, SQL) for every file in ``bot/storage/migrations``, in order."""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    numbers = [n for n, _ in found]
    if len(set(numbers)) != len(numbers):
        raise StorageError("Two database migrations share a number")
    return sorted(found)
