"""Domain errors. Each carries a message that is safe to show to a user and says what to do."""

from __future__ import annotations

import errno
import sqlite3
from typing import Final


class MercatoError(Exception):
    """Base of every error Mercato raises on purpose; ``str(error)`` is user-safe."""


class InvalidInput(MercatoError):
    """The user (or operator) gave input Mercato cannot use."""


class NotFound(MercatoError):
    """The thing asked for does not exist."""


class LimitReached(MercatoError):
    """A per-user or per-server limit would be exceeded."""


class ConfigError(MercatoError):
    """Settings are missing or invalid; the message lists every problem at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            super().__init__(f"Invalid configuration: {problems[0]}")
        else:
            super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class UnsafeURL(InvalidInput):
    """A feed URL points at a private, loopback or otherwise non-public address, or is not http(s)."""


class FeedError(MercatoError):
    """A feed could not be fetched or parsed; stored on the feed, never raised out of a poll cycle."""

    #: Seconds the feed's server asked for before the next try (``Retry-After`` on a 429 or 503), if it did.
    retry_after: float | None = None


class FeedNetworkError(FeedError):
    """Connecting to or reading from the feed's server failed."""


class FeedTimeout(FeedError):
    """The feed took longer than the total timeout."""


class FeedHTTPError(FeedError):
    """The feed's server answered with an HTTP error status."""

    def __init__(self, status: int, message: str | None = None) -> None:
        self.status = status
        super().__init__(message or f"HTTP {status}")


class FeedTooLarge(FeedError):
    """The feed's (decompressed) body is over the size cap."""


class TooManyRedirects(FeedError):
    """The feed redirected more times than allowed."""


class NotAFeed(FeedError):
    """The body is not RSS or Atom (for example an HTML page)."""


class StorageError(MercatoError):
    """The database failed; the message is safe to show and says what to do."""


class DatabaseBusy(StorageError):
    """Another process held the database's lock for longer than the busy timeout."""


class StartupError(MercatoError):
    """The bot could not start or keep running: Discord unreachable, the token refused…"""


_SQLITE_FAULTS: Final = {
    sqlite3.SQLITE_FULL: "the database's disk is full: free some disk space",
    sqlite3.SQLITE_BUSY: "the database is locked by another program (a second Mercato on the same file?)",
    sqlite3.SQLITE_LOCKED: "the database is locked by another program (a second Mercato on the same file?)",
    sqlite3.SQLITE_IOERR: "the disk failed to read or write the database: check the disk",
    sqlite3.SQLITE_READONLY: "the database file is read-only: check its permissions",
}
_OS_FAULTS: Final = {
    errno.ENOSPC: "the disk is full: free some disk space",
    errno.EDQUOT: "the disk quota is used up: free some space or raise the quota",
}


def storage_fault(exc: BaseException) -> str | None:
    """Say in one line (what is wrong, what to do) if ``exc`` is the database or its disk failing, else None.

    These faults are the host's, not a feed's and not a bug: the caller retries later instead of
    blaming the feed, and writes nothing more (the write would fail the same way).
    """
    if isinstance(exc, StorageError) and isinstance(exc.__cause__, sqlite3.Error | OSError):
        exc = exc.__cause__  # the storage layer's one-line translation of the same fault (bot.storage.db.explain)
    if isinstance(exc, sqlite3.Error):
        # sqlite_errorcode is the extended code (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT…), whose low byte
        # is the primary one; errors the sqlite3 module raises itself (a closed connection) have none.
        code = getattr(exc, "sqlite_errorcode", None)
        return _SQLITE_FAULTS.get(code & 0xFF) if isinstance(code, int) else None
    if isinstance(exc, OSError) and exc.errno is not None:
        return _OS_FAULTS.get(exc.errno)
    return None
