"""Consistent copies of the live database, and putting one back.

``backup`` uses SQLite's online backup API from a second connection: in one step it copies every page
as of one read transaction, so the copy is consistent even while the bot writes (WAL lets the bot go on
writing meanwhile). ``restore`` refuses while any process has the database open, keeps the current
file beside it, and copies the backup in through the same API, so stale ``-wal``/``-shm`` files can
never be replayed over the restored pages. Both are blocking: call them in a thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bot.errors import StorageError
from bot.storage.db import BUSY_TIMEOUT_S, explain, latest_migration


@dataclass(frozen=True, slots=True)
class Copied:
    """What a backup or restore wrote."""

    path: Path
    size: int  # bytes
    schema: int  # the copy's PRAGMA user_version
    seconds: float
    kept: Path | None = None  # restore: where the database it replaced was saved


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


@contextlib.contextmanager
def _connect(path: Path, mode: str, busy_timeout: float) -> Iterator[sqlite3.Connection]:
    """Open ``path`` without ever creating it (``mode=rw`` or ``ro``); sqlite errors become one clear line."""
    try:
        conn = sqlite3.connect(_uri(path, mode), uri=True, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise explain(exc, path, busy_timeout) or StorageError(f"Cannot open {path}: {exc}") from exc
    try:
        yield conn
    except sqlite3.Error as exc:
        raise explain(exc, path, busy_timeout) or StorageError(f"Cannot use {path}: {exc}") from exc
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, path: Path) -> int:
    """Raise unless ``conn`` is an intact Mercato database; return its schema version."""
    _check_is_mercato(conn, path)
    problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(5)")]
    if problems != ["ok"]:
        raise StorageError(f"{path} failed SQLite's integrity check ({problems[0]}): use another backup.")
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _require_file(path: Path, what: str) -> None:
    if not path.is_file():
        raise StorageError(f"No {what} at {path}: check the path (and MERCATO_DB or --db).")


def backup(source: Path, target: Path, *, busy_timeout: float = BUSY_TIMEOUT_S) -> Copied:
    """Copy the live database ``source`` to ``target`` (replaced atomically if it exists); return what was written."""
    started = time.monotonic()
    _require_file(source, "database")
    if target.is_dir():
        raise StorageError(f"{target} is a folder: give a file name, such as {target / 'mercato-backup.sqlite3'}.")
    if target.exists() and target.resolve() == source.resolve():
        raise StorageError("The backup would overwrite the live database: give another file name.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with _connect(source, "rw", busy_timeout) as live:
            _check_is_mercato(live, source)
            with _connect_new(partial, shown=target) as copy:
                live.backup(copy)  # pages=-1: every page in one step, from one consistent snapshot
                # A backup is a single file: take it out of WAL mode so that it carries no -wal beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                schema = _check(copy, partial)
        _durable_replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(target, target.stat().st_size, schema, time.monotonic() - started)


def restore(backup_file: Path, live: Path, *, busy_timeout: float = BUSY_TIMEOUT_S) -> Copied:
    """Replace the database ``live`` by ``backup_file``; the replaced one is kept as ``<live>.before-restore``."""
    started = time.monotonic()
    _require_file(backup_file, "backup")
    with _connect(backup_file, "ro", busy_timeout) as source:
        schema = _check(source, backup_file)
        if schema > latest_migration():
            raise StorageError(
                f"{backup_file} was made by a newer Mercato (schema {schema}; this one knows up to "
                f"{latest_migration()}): restore it with that version."
            )
        kept = _keep_current(live) if live.is_file() else None
        live.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(live) as target:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            _check(target, live)
    return Copied(live, live.stat().st_size, schema, time.monotonic() - started, kept)


def _check_is_mercato(conn: sqlite3.Connection, path: Path) -> None:
    if conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()[0] == 0:
        raise StorageError(f"{path} is not a Mercato database (it has no Mercato tables).")


@contextlib.contextmanager
def _connect_new(path: Path, *, shown: Path | None = None) -> Iterator[sqlite3.Connection]:
    """Create the database ``path`` afresh; errors name ``shown`` (the file the user asked for)."""
    path.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot create {shown or path}: {exc}; check the folder exists and is writable.") from exc
    try:
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[sqlite3.Connection]:
    """Open ``path`` for writing only if no other process has it open (a running bot always does)."""
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=0.2)
    except sqlite3.Error as exc:
        raise explain(exc, path) or StorageError(f"Cannot open {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")  # the lock stays held: locking_mode=EXCLUSIVE keeps it until close
        except sqlite3.OperationalError as exc:
            raise StorageError(
                f"{path} is in use by another process (is Mercato running?): stop it, then restore again."
            ) from exc
        yield conn
    except sqlite3.Error as exc:
        raise explain(exc, path) or StorageError(f"Cannot restore into {path}: {exc}") from exc
    finally:
        conn.close()


def _keep_current(live: Path) -> Path:
    """Save the database about to be replaced (with whatever its WAL holds) as ``<live>.before-restore``."""
    kept = live.with_name(live.name + ".before-restore")
    with _exclusive(live) as current, _connect_new(kept) as copy:
        current.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    return kept


def _durable_replace(partial: Path, target: Path) -> None:
    """Move the finished copy into place atomically, after it reached the disk."""
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    try:
        os.replace(partial, target)
    except OSError as exc:
        raise StorageError(f"Cannot write {target}: {exc.strerror or exc}") from exc
