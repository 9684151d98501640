"""Tests of the feed layer (bot/feeds, bot/text.py)."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

DATA = Path(__file__).parent / "data"


def data(name: str) -> bytes:
    """Return the bytes of a sample or hostile feed in tests/feeds/data."""
    return (DATA / name).read_bytes()


def rss(*items: tuple[str, str], published: datetime, summary: str = "") -> str:
    """An RSS 2.0 feed of ``(guid, title)`` items, all ``published`` then, each with ``summary`` (or its title)."""
    when = format_datetime(published, usegmt=True)
    entries = "".join(
        f"<item><title>{headline}</title><link>https://news.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>{when}</pubDate><description>{summary or headline}</description></item>"
        for guid, headline in items
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Test</title>{entries}</channel></rss>"
