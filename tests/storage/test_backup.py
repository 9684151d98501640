"""`mercato backup` and `mercato restore`: a consistent copy of the live database while a poll writes, and
putting a copy back."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import App, open_app
from bot.cli import main
from bot.config import Settings
from bot.errors import StorageError
from bot.storage import Storage
from bot.storage.backup import backup, restore
from bot.storage.db import latest_migration
from tests.conftest import SEEDS
from tests.feedserver import FeedServer

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
FEEDS, ITEMS = 8, 40
CLUBS = ("AC Milan", "Inter", "Juventus", "Napoli", "Roma", "Tottenham", "Arsenal", "Chelsea")


def rss(feed: int) -> str:
    items = "".join(
        f"<item><title>{CLUBS[(feed + n) % len(CLUBS)]} in talks with Radu Drăgușin's agents ({feed}-{n})</title>"
        f"<link>https://news.example/{feed}/{n}</link><pubDate>{format_datetime(NOW - timedelta(minutes=n))}</pubDate>"
        f"<description>{CLUBS[n % len(CLUBS)]} want Drăgușin, say reports ({n}).</description></item>"
        for n in range(ITEMS)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed {feed}</title>{items}</channel></rss>"


def check_copy(path: Path) -> tuple[int, int]:
    """A backup must pass SQLite's own checks; return its (items, mentions) counts."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no -wal beside it
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        # Every stored item has its mentions: a copy never holds half a transaction.
        orphans = conn.execute("SELECT count(*) FROM items i WHERE NOT EXISTS "
                               "(SELECT 1 FROM mentions m WHERE m.item_id = i.id)").fetchone()[0]
        assert orphans == 0
        return items, conn.execute("SELECT count(*) FROM mentions").fetchone()[0]


async def open_test_app(path: Path) -> App:
    return await open_app(Settings(db_path=path, seeds_dir=SEEDS, allow_private_feeds=True), now=NOW,
                          add_default_feeds=False)


async def test_backup_while_a_poll_is_writing_is_consistent(tmp_path: Path) -> None:
    """Backups taken in a thread during a poll of 8 feeds × 40 items all pass integrity_check; some are mid-poll."""
    live = tmp_path / "live.sqlite3"
    app = await open_test_app(live)
    copies: list[Path] = []
    polling = threading.Event()
    polling.set()

    def keep_backing_up() -> None:
        while polling.is_set() or not copies:
            copies.append(backup(live, tmp_path / f"copy-{len(copies)}.sqlite3").path)

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.05 * int(request.path.strip("/")))  # feeds arrive one after another
        return web.Response(text=rss(int(request.path.strip("/"))), content_type="application/rss+xml")

    try:
        async with FeedServer() as server:
            for feed in range(FEEDS):
                server.route(f"/{feed}", slow)
                await app.storage.feeds.add(server.url(f"/{feed}"), now=NOW)
            backups = asyncio.create_task(asyncio.to_thread(keep_backing_up))
            result = await app.ingestor.poll(await app.storage.feeds.all(), NOW)
            polling.clear()
            await backups
        final = await app.storage.items.count()
    finally:
        await app.close()

    assert [r.outcome for r in result.reports] == ["new"] * FEEDS and final == FEEDS * ITEMS
    counts = [check_copy(path) for path in copies]
    assert len(counts) >= 3
    assert any(0 < items < final for items, _ in counts), counts  # taken while the poll was storing
    assert counts == sorted(counts)  # each copy is a later state than the one before


async def test_restore_puts_a_backup_back_and_keeps_the_replaced_database(tmp_path: Path) -> None:
    """Back up, change, restore: the change is gone, the replaced file is kept, and Mercato opens the result."""
    live, saved = tmp_path / "live.sqlite3", tmp_path / "saved.sqlite3"
    storage = await Storage.open(live)
    await storage.follows.add(guild_id=1, user_id=2, now=NOW, limit=50, entity_id="player:radu-dragusin")
    await asyncio.to_thread(backup, live, saved)
    await storage.follows.add(guild_id=1, user_id=2, now=NOW, limit=50, entity_id="club:ac-milan")
    with pytest.raises(StorageError, match="is in use by another process \\(is Mercato running\\?\\)"):
        await asyncio.to_thread(restore, saved, live)  # the "bot" still has it open
    await storage.close()

    done = await asyncio.to_thread(restore, saved, live)
    storage = await Storage.open(live)
    try:
        restored = await storage.follows.of_user(guild_id=1, user_id=2)
        assert await storage.db.user_version() == latest_migration()
    finally:
        await storage.close()
    assert [f.entity_id for f in restored] == ["player:radu-dragusin"]
    assert done.kept == tmp_path / "live.sqlite3.before-restore"
    with sqlite3.connect(done.kept) as conn:
        assert {r[0] for r in conn.execute("SELECT entity_id FROM follows")} == {"player:radu-dragusin",
                                                                                  "club:ac-milan"}


def test_restore_refuses_what_is_not_a_good_backup(tmp_path: Path) -> None:
    """A text file, a damaged copy and a copy from a newer Mercato are refused; the live file is untouched."""
    live = tmp_path / "live.sqlite3"
    asyncio.run(_create(live))
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    newer = tmp_path / "newer.sqlite3"
    backup(live, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    before = live.read_bytes()
    with pytest.raises(StorageError, match="is not a Mercato database"):
        restore(notes, live)
    with pytest.raises(StorageError, match="was made by a newer Mercato \\(schema 99"):
        restore(newer, live)
    with pytest.raises(StorageError, match="No backup at"):
        restore(tmp_path / "missing.sqlite3", live)
    assert live.read_bytes() == before


def test_backup_refuses_to_overwrite_the_live_database(tmp_path: Path) -> None:
    """`mercato backup` given the live file itself, or a folder, says so instead of writing."""
    live = tmp_path / "live.sqlite3"
    asyncio.run(_create(live))
    with pytest.raises(StorageError, match="would overwrite the live database"):
        backup(live, live)
    with pytest.raises(StorageError, match="is a folder: give a file name"):
        backup(live, tmp_path)
    with pytest.raises(StorageError, match="No database at"):
        backup(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()  # never created by trying


def test_the_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`mercato backup FILE` then `mercato restore FILE`, as documented in docs/operations.md."""
    monkeypatch.chdir(tmp_path)
    live = tmp_path / "data" / "mercato.sqlite3"
    asyncio.run(_create(live))
    assert main(["backup", "nightly.sqlite3", "--db", str(live)]) == 0
    assert main(["--db", str(live), "restore", "nightly.sqlite3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Backed up {live} to nightly.sqlite3 (") and "integrity ok" in out[0]
    assert out[1].startswith(f"Restored nightly.sqlite3 into {live} (") and ".before-restore" in out[1]


async def _create(path: Path) -> None:
    storage = await Storage.open(path)
    await storage.meta.set("created", "yes")
    await storage.close()
