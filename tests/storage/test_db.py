"""The database: migrations from empty and re-applied, pragmas, transactions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import StorageError
from bot.storage import Storage
from bot.storage.db import Database, available_migrations


async def test_migrations_from_empty_record_user_version(tmp_path: Path) -> None:
    """A new database gets every migration and records the last number in user_version."""
    db = await Database.open(tmp_path / "new.sqlite3")
    try:
        assert await db.user_version() == available_migrations()[-1][0]
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"feeds", "feed_guilds", "items", "entities", "aliases", "mentions", "follows", "meta"} <= tables
    finally:
        await db.close()


async def test_migrations_reapplied_are_a_no_op(tmp_path: Path) -> None:
    """Opening an up-to-date database again applies nothing and keeps the data."""
    path = tmp_path / "again.sqlite3"
    db = await Database.open(path)
    await db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    await db.close()
    db = await Database.open(path)
    try:
        assert await db.migrate() == []
        assert (await db.fetchone("SELECT value FROM meta WHERE key = 'k'"))[0] == "v"
    finally:
        await db.close()


async def test_pragmas(storage: Storage) -> None:
    """WAL, foreign keys on, a busy timeout."""
    assert (await storage.db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    assert (await storage.db.fetchone("PRAGMA foreign_keys"))[0] == 1
    assert (await storage.db.fetchone("PRAGMA busy_timeout"))[0] == 5000


async def test_failed_transaction_rolls_back(storage: Storage) -> None:
    """An exception inside a transaction leaves nothing behind."""
    with pytest.raises(RuntimeError):
        async with storage.db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
            raise RuntimeError("boom")
    assert await storage.meta.get("x") is None


async def test_broken_migration_is_reported_and_not_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing migration raises StorageError and leaves user_version where it was."""
    good = available_migrations()
    monkeypatch.setattr("bot.storage.db.available_migrations", lambda: [*good, (9999, "CREATE TABLE broken (;")])
    with pytest.raises(StorageError, match="9999"):
        await Database.open(tmp_path / "broken.sqlite3")
    monkeypatch.setattr("bot.storage.db.available_migrations", lambda: good)
    db = await Database.open(tmp_path / "broken.sqlite3")
    try:
        assert await db.user_version() == good[-1][0]
    finally:
        await db.close()
