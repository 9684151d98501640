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
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import DatabaseBusy, StorageError

log = logging.getLogger(__name__)

Params = Mapping[str, Any] | Sequence[Any]
T = TypeVar("T")
CACHE_KIB = 64 * 1024
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


# SQLite's primary result codes for failures of the file or its environment (not of a statement):
# these become one clear StorageError; anything else (a constraint, a bug) is left as it is.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
BUSY_TIMEOUT_S = 5.0


def explain(exc: sqlite3.Error, path: str | Path, busy_timeout: float = BUSY_TIMEOUT_S) -> StorageError | None:
    """One line saying what is wrong with the database file and what to do, or None for other errors."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return DatabaseBusy(
            f"The database {path} stayed locked by another process for over {busy_timeout:g} s "
            "(is a second Mercato, or a tool holding a transaction, using it?): stop it, then try again."
        )
    messages = {
        _READONLY: f"The database {path} is read-only for this user: give it (and its folder, for the -wal and "
        "-shm files) write access, or run Mercato as the user that owns it.",
        _CORRUPT: f"The database {path} is damaged ({exc}): restore a backup (see docs/operations.md).",
        _NOTADB: f"{path} is not a Mercato database (not an SQLite file, or truncated): point MERCATO_DB or --db "
        "at the right file, or restore a backup (see docs/operations.md).",
        _CANTOPEN: f"Cannot open or create the database {path}: check that it is a file (not a folder) in a "
        "folder this user may write to.",
        _FULL: f"The disk holding {path} is full: free some space, then start Mercato again.",
        _IOERR: f"The disk failed while reading or writing {path} ({exc}): check the disk and the file system.",
    }
    message = messages.get(code)
    return None if message is None else StorageError(message)


class Database:
    """Owns the connection; use ``transaction()`` for writes and ``fetchall``/``fetchone`` for reads."""

    def __init__(self, conn: aiosqlite.Connection, path: str | Path = ":memory:", *,
                 busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self.busy_timeout = busy_timeout

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_S) -> Database:
        """Open (creating if needed) the database file and apply pragmas and pending migrations.

        Raises StorageError with one line saying what to do when the file cannot be used (not a
        database, damaged, read-only, locked, written by a newer Mercato, in an unwritable folder).
        """
        if str(path) != ":memory:":
            _make_folder(Path(path))
        try:
            conn = await aiosqlite.connect(str(path), isolation_level=None, timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise explain(exc, path, busy_timeout) or StorageError(f"Cannot open the database {path}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path, busy_timeout=busy_timeout)
        try:
            timeout_ms = f"busy_timeout={busy_timeout * 1000:.0f}"
            # A 64 MiB page cache (SQLite's default is 2 MiB): at 100,000 items the read commands and routing
            # look up a few hundred scattered rows each, and with the default they are re-read from the OS.
            cache = f"cache_size=-{CACHE_KIB}"
            pragmas = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", timeout_ms, cache)
            for pragma in pragmas:
                await conn.execute(f"PRAGMA {pragma}")
            await db.check_version()
            await db.migrate()
        except sqlite3.Error as exc:
            await conn.close()
            raise explain(exc, path, busy_timeout) or StorageError(f"Cannot use the database {path}: {exc}") from exc
        except BaseException:
            await conn.close()
            raise
        return db

    async def check_version(self) -> None:
        """Refuse a database whose schema is newer than this Mercato's migrations (a downgrade)."""
        current, newest = await self.user_version(), latest_migration()
        if current > newest:
            raise StorageError(
                f"The database {self.path} was written by a newer Mercato (schema {current}; this one knows up to "
                f"{newest}): run that newer version, or restore a backup made by this one."
            )

    async def close(self) -> None:
        """Close the connection (its worker thread is not a daemon: an open one would hang exit)."""
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block in one ``BEGIN IMMEDIATE`` transaction, committed on success, rolled back on error."""
        async with self._lock:
            await self._guard(self._conn.execute("BEGIN IMMEDIATE"))
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._guard(self._conn.commit())

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a read query and return every row."""
        async with self._lock:
            return await self._guard(self._fetch(sql, params, many=True))

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a read query and return its first row, if any."""
        async with self._lock:
            return await self._guard(self._fetch(sql, params, many=False))

    async def _fetch(self, sql: str, params: Params, *, many: bool) -> Any:
        if many:  # one trip to the connection's thread instead of three (execute, fetch, close)
            return list(await self._conn.execute_fetchall(sql, params))
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _guard(self, step: Awaitable[T]) -> T:
        """Await ``step``; a failure of the file itself (locked, read-only, damaged) becomes one clear StorageError."""
        try:
            return await step
        except sqlite3.Error as exc:
            explained = explain(exc, self.path, self.busy_timeout)
            if explained is None:
                raise
            raise explained from exc

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
                    explained = explain(exc, self.path, self.busy_timeout)
                    raise explained or StorageError(f"Database migration {number:04d} failed: {exc}") from exc
            log.info("applied database migration %04d", number)
            applied.append(number)
        return applied


def latest_migration() -> int:
    """The schema version this Mercato migrates a database to."""
    return max((number for number, _ in available_migrations()), default=0)


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StorageError(
            f"Cannot create the folder {path.parent} for the database ({reason}): create it, or set MERCATO_DB "
            "to a file in a folder this user may write to."
        ) from exc


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
