"""Domain errors. Each carries a message that is safe to show to a user and says what to do."""

from __future__ import annotations


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
