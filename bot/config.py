"""Settings from environment variables and an optional `.env` file, validated once.

Every invalid value is reported at once, each with its variable name, so an operator fixes them all
in one go instead of one per restart. A problem never repeats the value itself: a token pasted into
the wrong variable must not end up on the screen or in a log.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

from bot.errors import ConfigError

T = TypeVar("T")
DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MOVE_MODES = ("auto", "review")  # completed moves learnt from the news: applied at once, or queued for an operator

N = TypeVar("N", int, float)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults an operator gets without setting anything."""

    discord_token: str | None = None
    db_path: Path = Path("data/mercato.sqlite3")
    seeds_dir: Path = DEFAULT_SEEDS
    poll_interval: int = 300  # seconds between polls of one feed
    deadline_poll_interval: int = 60  # the same, while a transfer deadline is near
    max_item_age_hours: int = 48  # older items are stored but never alerted
    allow_private_feeds: bool = False  # allow loopback/private feed addresses (local testing, the demo)
    log_level: str = "INFO"
    dev_guild_id: int | None = None  # sync commands to this server instantly (development)
    follow_limit: int = 50  # follows per user per server
    deadline_lead_hours: int = 72  # default lead time for deadline DMs and faster polling
    contact: str | None = None  # the operator's e-mail or URL, sent to feed owners in the User-Agent
    http_port: int | None = None  # /healthz and /metrics on this port (None: no HTTP endpoint); 0 picks one
    http_host: str = "127.0.0.1"  # where the HTTP endpoint listens (0.0.0.0 inside a container)
    retention_days: int = 180  # items older than this are deleted with their mentions
    guild_grace_days: int = 7  # a server's data is deleted this long after the bot leaves it
    db_busy_timeout: float = 5.0  # seconds to wait for another process's database lock
    moves_mode: str = "auto"  # MERCATO_MOVES: "auto" applies moves learnt from the news, "review" queues them
    # MERCATO_READ_WORKERS: processes that read feed items (bot.reading); 0 reads in a thread of this process.
    # The operator's default (from_env) is one per CPU; a Settings built in code (tests, embedding) reads in a thread.
    read_workers: int = 0
    # MERCATO_CACHE_DIR: where `mercato match` keeps the seeds' catalogue and matcher between runs
    # (bot.catalogue.cache); None: built every time. The operator's default (from_env) is the user cache folder.
    cache_dir: Path | None = None

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a repr of the settings.
        token = "set" if self.discord_token else "unset"
        return f"Settings(discord_token=<{token}>, db_path={self.db_path!s}, poll_interval={self.poll_interval})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``) over an optional ``.env`` file."""
        values = _read_env_file(env_file)
        values.update(os.environ if environ is None else environ)
        problems: list[str] = []

        def get(name: str, parse: Callable[[str], T], default: T) -> T:
            raw = values.get(name, "").strip()
            if not raw:
                return default
            try:
                return parse(raw)
            except ValueError as exc:
                problems.append(f"{name}: {exc}")  # never the raw value: it may be a misplaced secret
                return default

        settings = cls(
            discord_token=values.get("DISCORD_TOKEN", "").strip() or None,
            db_path=get("MERCATO_DB", Path, cls.db_path),
            seeds_dir=get("MERCATO_SEEDS", _existing_dir, DEFAULT_SEEDS),
            poll_interval=get("MERCATO_POLL_INTERVAL", _int_between(10, 86_400), cls.poll_interval),
            deadline_poll_interval=get(
                "MERCATO_DEADLINE_POLL_INTERVAL", _int_between(10, 86_400), cls.deadline_poll_interval
            ),
            max_item_age_hours=get("MERCATO_MAX_ITEM_AGE_HOURS", _int_between(1, 24 * 90), cls.max_item_age_hours),
            allow_private_feeds=get("MERCATO_ALLOW_PRIVATE_FEEDS", _bool, cls.allow_private_feeds),
            log_level=get("MERCATO_LOG_LEVEL", _log_level, cls.log_level),
            dev_guild_id=get("MERCATO_DEV_GUILD", _snowflake, None),
            follow_limit=get("MERCATO_FOLLOW_LIMIT", _int_between(1, 1000), cls.follow_limit),
            deadline_lead_hours=get("MERCATO_DEADLINE_LEAD_HOURS", _int_between(1, 24 * 30), cls.deadline_lead_hours),
            contact=get("MERCATO_CONTACT", _contact, None),
            http_port=get("MERCATO_HTTP_PORT", _int_between(1, 65_535), None),
            http_host=get("MERCATO_HTTP_HOST", _host, cls.http_host),
            retention_days=get("MERCATO_RETENTION_DAYS", _int_between(1, 3650), cls.retention_days),
            guild_grace_days=get("MERCATO_GUILD_GRACE_DAYS", _int_between(0, 365), cls.guild_grace_days),
            db_busy_timeout=get("MERCATO_DB_BUSY_TIMEOUT", _seconds_between(0.05, 600.0), cls.db_busy_timeout),
            moves_mode=get("MERCATO_MOVES", _move_mode, cls.moves_mode),
            read_workers=get("MERCATO_READ_WORKERS", _read_workers, auto_read_workers()),
            cache_dir=get("MERCATO_CACHE_DIR", _cache_dir, default_cache_dir()),
        )
        if problems:
            raise ConfigError(problems)
        return settings


def _read_env_file(env_file: Path | None) -> dict[str, str]:
    if env_file is None or not env_file.is_file():
        return {}
    try:
        return {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    except UnicodeDecodeError:
        raise ConfigError([f"{env_file}: not UTF-8 text; save it as UTF-8 (or plain ASCII)"]) from None
    except OSError as exc:
        raise ConfigError([f"{env_file}: cannot be read ({exc.strerror})"]) from None


def _between(convert: Callable[[str], N], low: N, high: N, what: str) -> Callable[[str], N]:
    """A parser of numbers in ``[low, high]`` whose error says what is expected (never the value)."""
    expected = f"expected {what} from {low:g} to {high:g}"

    def parse(raw: str) -> N:
        try:
            value = convert(raw)
        except ValueError:
            raise ValueError(expected) from None
        if not low <= value <= high:
            raise ValueError(expected)
        return value

    return parse


def _int_between(low: int, high: int) -> Callable[[str], int]:
    return _between(int, low, high, "a whole number")


def _seconds_between(low: float, high: float) -> Callable[[str], float]:
    return _between(float, low, high, "a number of seconds")


def _contact(raw: str) -> str:
    # It goes into an HTTP header: printable ASCII only (no line breaks to inject other headers).
    if len(raw) > 200 or not raw.isascii() or not raw.isprintable():
        raise ValueError("expected an e-mail address or URL in plain ASCII, at most 200 characters")
    return raw


def _host(raw: str) -> str:
    if len(raw) > 255 or not raw.isascii() or any(c.isspace() for c in raw):
        raise ValueError("expected an address to listen on, such as 127.0.0.1 or 0.0.0.0")
    return raw


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _log_level(raw: str) -> str:
    if raw.upper() not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
    return raw.upper()


def _move_mode(raw: str) -> str:
    if raw.lower() not in MOVE_MODES:
        raise ValueError(f"expected one of {', '.join(MOVE_MODES)}")
    return raw.lower()


def auto_read_workers() -> int:
    """Reading processes for this machine: one per CPU it may use (up to 4); none with a single CPU, or where
    processes cannot be started from a fork server (bot.reading)."""
    import multiprocessing  # only here: settings are read by every command, most never start a process

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if cpus < 2 else min(cpus, 4)


def _read_workers(raw: str) -> int:
    if raw.lower() == "auto":
        return auto_read_workers()
    if not raw.isdigit() or not 0 <= int(raw) <= 32:
        raise ValueError("expected auto or a whole number from 0 (read in the bot's process) to 32")
    return int(raw)


def _snowflake(raw: str) -> int:
    if not raw.isdigit() or not 15 <= len(raw) <= 21:
        raise ValueError("expected a Discord server id (a 17-20 digit number; enable Developer Mode to copy it)")
    return int(raw)


def default_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/mercato``, else ``~/.cache/mercato``; None when there is no home folder."""
    configured = os.environ.get("XDG_CACHE_HOME", "").strip()
    if configured:
        return Path(configured) / "mercato"
    try:
        return Path.home() / ".cache" / "mercato"
    except RuntimeError:  # no HOME and no password entry
        return None


def _cache_dir(raw: str) -> Path | None:
    return None if raw.lower() == "off" else Path(raw).expanduser()


def _existing_dir(raw: str) -> Path:
    path = Path(raw)
    if not path.is_dir():
        raise ValueError("no such directory")
    return path
