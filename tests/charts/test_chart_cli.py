"""`mercato chart CLUB|PLAYER -o FILE.png` and the chart `mercato demo` writes."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import build_parser, cmd_chart, cmd_poll, load_settings, main
from bot.storage import Storage
from tests.conftest import SEEDS
from tests.feedserver import FeedServer

FEEDS = ("calcio-wire", "north-london-news", "gossip-column")


def size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
async def polled_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A database that polled the demo's sample feeds (as they look after new items appeared)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MERCATO_ALLOW_PRIVATE_FEEDS", "true")
    db = str(tmp_path / "m.sqlite3")
    async with FeedServer() as server:
        for name in FEEDS:
            server.add(f"/{name}.xml", (SEEDS / "demo" / name / "after.xml").read_bytes())
        storage = await Storage.open(db)
        try:  # only the sample feeds (the default feeds would need the internet)
            await storage.meta.set("default_feeds_added", "test")
            for name in FEEDS:
                await storage.feeds.add(server.url(f"/{name}.xml"), now=datetime.now(UTC))
        finally:
            await storage.close()
        args = build_parser().parse_args(["--db", db, "poll", "--once"])
        assert await cmd_poll(load_settings(args), args) == 0
    yield db


async def chart(db: str, *argv: str) -> int:
    args = build_parser().parse_args(["--db", db, "chart", *argv])
    return await cmd_chart(load_settings(args), args)


async def test_chart_draws_a_club_or_a_player(polled_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert await chart(polled_db, "milan", "-o", str(tmp_path / "milan.png")) == 0
    assert await chart(polled_db, "dragusin", "--output", str(tmp_path / "dragusin.png")) == 0
    out = capsys.readouterr().out
    assert f"Heat chart of AC Milan (2 stories) written to {tmp_path / 'milan.png'}" in out
    assert f"Heat chart of Radu Drăgușin (3 stories) written to {tmp_path / 'dragusin.png'}" in out
    assert size(tmp_path / "milan.png") == size(tmp_path / "dragusin.png") == (800, 440)


def test_chart_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "empty.sqlite3")
    assert main(["--db", db, "chart", "milan", "-o", str(tmp_path / "m.txt")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'm.txt'} does not end in .png: the chart is a PNG image.\n"
    assert main(["--db", db, "chart", "Nowhere Rovers FC", "-o", str(tmp_path / "m.png")]) == 1
    assert "No club or player called “Nowhere Rovers FC”" in capsys.readouterr().err
    assert main(["--db", db, "chart", "milan", "-o", str(tmp_path / "m.png")]) == 1
    assert capsys.readouterr().err == "error: No stories about AC Milan yet: nothing to draw. Poll some feeds first.\n"
    assert not (tmp_path / "m.png").exists()
    with pytest.raises(SystemExit) as exited:
        main(["--db", db, "chart", "milan"])
    assert exited.value.code == 2
    assert "-o/--output" in capsys.readouterr().err

