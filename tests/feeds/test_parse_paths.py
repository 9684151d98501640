"""The fast path (lxml check + fastfeedparser) and feedparser must agree on every well-formed feed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds import parse
from bot.feeds.parse import parse_feed

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).resolve().parents[2] / "seeds" / "demo"
FETCHED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
WELL_FORMED = [DATA / "rss20.xml", DATA / "atom.xml", DATA / "duplicate_guids.xml", *sorted(DEMO.glob("*/*.xml"))]
BROKEN = ["malformed_amp.xml", "cp1252_declared_utf8.xml", "utf8_declared_latin1.xml", "truncated.xml", "billion_laughs.xml"]


@pytest.mark.parametrize("path", WELL_FORMED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_path_matches_feedparser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same items (ids, text, links, dates, authors) and feed title from both parsers."""
    body = path.read_bytes()
    assert parse._fast_path_entries(body, {}) is not None, "a well-formed UTF-8 feed takes the fast path"
    fast = parse_feed(body, {}, fetched_at=FETCHED)
    monkeypatch.setattr(parse, "_fast_path_entries", lambda body, headers: None)
    slow = parse_feed(body, {}, fetched_at=FETCHED)
    assert fast.items == slow.items
    assert fast.title == slow.title


@pytest.mark.parametrize("name", BROKEN)
def test_broken_feeds_go_to_feedparser(name: str) -> None:
    """Anything not provably well-formed UTF-8 is left to feedparser's recovery."""
    assert parse._fast_path_entries((DATA / name).read_bytes(), {}) is None


def test_conflicting_charset_header_goes_to_feedparser() -> None:
    """A Content-Type charset other than UTF-8 is feedparser's to reconcile."""
    body = (DATA / "rss20.xml").read_bytes()
    assert parse._fast_path_entries(body, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}) is None
    assert parse._fast_path_entries(body, {"Content-Type": "application/rss+xml; charset=utf-8"}) is not None
