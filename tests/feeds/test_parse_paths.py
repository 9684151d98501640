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
    assert fast.language == slow.language


@pytest.mark.parametrize("name", BROKEN)
def test_broken_feeds_go_to_feedparser(name: str) -> None:
    """Anything not provably well-formed UTF-8 is left to feedparser's recovery."""
    assert parse._fast_path_entries((DATA / name).read_bytes(), {}) is None


def test_conflicting_charset_header_goes_to_feedparser() -> None:
    """A Content-Type charset other than UTF-8 is feedparser's to reconcile."""
    body = (DATA / "rss20.xml").read_bytes()
    assert parse._fast_path_entries(body, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}) is None
    assert parse._fast_path_entries(body, {"Content-Type": "application/rss+xml; charset=utf-8"}) is not None


_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Mercato</title>{meta}
<item><title>Milan, sondaggio per Koné</title><link>https://news.example/kone</link><guid>k1</guid></item>
</channel></rss>"""
_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"{lang}><title>Mercato</title><id>urn:m</id>
<updated>2026-11-27T08:00:00Z</updated><entry><title>Milan, sondaggio per Koné</title><id>urn:k1</id>
<link href="https://news.example/kone"/><updated>2026-11-27T08:00:00Z</updated></entry></feed>"""


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        (_RSS.format(meta="<language>it-IT</language>"), "it-IT"),
        (_RSS.format(meta="<dc:language>it</dc:language>"), "it"),
        (_RSS.format(meta=""), None),
        (_ATOM.format(lang=' xml:lang="it"'), "it"),
        (_ATOM.format(lang=""), None),
    ],
    ids=["rss-language", "dc-language", "rss-none", "atom-xml-lang", "atom-none"],
)
def test_declared_language_is_read_by_both_paths(body: str, declared: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """RSS <language>, dc:language and Atom xml:lang come out as written, from the fast path and feedparser alike."""
    raw = body.encode()
    assert parse._fast_path_entries(raw, {}) is not None
    assert parse_feed(raw, {}, fetched_at=FETCHED).language == declared
    monkeypatch.setattr(parse, "_fast_path_entries", lambda body, headers: None)
    assert parse_feed(raw, {}, fetched_at=FETCHED).language == declared
