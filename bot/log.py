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


# The attributes every LogRecord has; anything else on a record came from ``extra={...}``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class ExtrasFormatter(logging.Formatter):
    """Appends a record's ``extra={...}`` fields as ``key=value``: "polled feed feed=https://… new=3"."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's own name
        """The message, then the extras, before any traceback."""
        text = super().formatMessage(record)
        extras = [f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")]
        return f"{text} {' '.join(extras)}" if extras else text


def setup_logging(level: str = "INFO", *, secrets: tuple[str | None, ...] = ()) -> None:
    """Log to stderr with one format; quieten chatty libraries; redact secrets."""
    handler = _MercatoHandler(sys.stderr)
    handler.setFormatter(ExtrasFormatter("[{asctime}] [{levelname:<7}] {name}: {message}", style="{"))
    handler.addFilter(RedactFilter(*secrets))
    root = logging.getLogger()
    # Replace only our own handler, so that calling this twice (or inside a test runner) adds no duplicates
    # and removes nobody else's.
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _MercatoHandler)] + [handler]
    root.setLevel(level)
    for noisy in ("discord.http", "discord.gateway", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
