"""Log lines: extra fields are shown (which feed was polled), secrets are redacted."""

from __future__ import annotations

import io
import logging

import pytest

from bot.log import setup_logging


def test_extra_fields_are_shown_and_the_token_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """`log.info("polled feed", extra={"feed": url})` prints the URL; the token never appears."""
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("INFO", secrets=("tok-123",))
    logging.getLogger("bot.ingest").info("polled feed", extra={"feed": "https://n.example/rss", "new": 3})
    logging.getLogger("bot.x").warning("login with %s", "tok-123")
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("bot.ingest: polled feed feed=https://n.example/rss new=3")
    assert lines[1].endswith("bot.x: login with [redacted]")
