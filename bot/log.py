"""Logging setup. Other modules just do ``log = logging.getLogger(__name__)``."""

from __future__ import annotations

import logging
import sys


class RedactFilter(logging.Filter):
    """Replace any occurrence of a secret (the Discord token) in log records with ``[redacted]``."""

    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message in place; never drops a record."""
        if self._secrets:
            message = record.getMessage()
            if any(secret in message for secret in self._secrets):
                for secret in self._secrets:
                    message = message.replace(secret, "[redacted]")
                record.msg, record.args = message, None
        return True


class _MercatoHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installs."""


def setup_logging(level: str = "INFO", *, secrets: tuple[str | None, ...] = ()) -> None:
    """Log to stderr with one format; quieten chatty libraries; redact secrets."""
    handler = _MercatoHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[{asctime}] [{levelname:<7}] {name}: {message}", style="{"))
    handler.addFilter(RedactFilter(*secrets))
    root = logging.getLogger()
    # Replace only our own handler, so that calling this twice (or inside a test runner) adds no duplicates
    # and removes nobody else's.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _MercatoHandler)] + [handler]
    root.setLevel(level)
    for noisy in ("discord.http", "discord.gateway", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
