"""Tests of the feed layer (bot/feeds, bot/text.py)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def data(name: str) -> bytes:
    """Return the bytes of a sample or hostile feed in tests/feeds/data."""
    return (DATA / name).read_bytes()
