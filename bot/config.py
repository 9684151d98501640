"""Settings from environment variables and an optional `.env` file, validated once.

Every invalid value is reported at once, each with its variable name, so an operator fixes them all
in one go instead of one per restart.
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
    moves_mode: str = "auto"  # MERCATO_MOVES: "auto" applies moves learnt from the news, "review" queues them

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a repr of the settings.
        token = "set" if self.discord_token else "unset"
        return f"Settings(discord_token=<{token}>, db_path={self.db_path!s}, poll_interval={self.poll_interval})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``) over an optional ``.env`` file."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        problems: list[str] = []

        def get(name: str, parse: Callable[[str], T], default: T) -> T:
            raw = values.get(name, "").strip()
            if not raw:
                return default
            try:
                return parse(raw)
            except ValueError as exc:
                problems.append(f"{name}={raw!r}: {exc}")
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
            moves_mode=get("MERCATO_MOVES", _move_mode, cls.moves_mode),
        )
        if problems:
            raise ConfigError(problems)
        return settings


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"expected a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}")
        return value

    return parse


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


def _snowflake(raw: str) -> int:
    if not raw.isdigit() or not 15 <= len(raw) <= 21:
        raise ValueError("expected a Discord server id (a 17-20 digit number; enable Developer Mode to copy it)")
    return int(raw)


def _existing_dir(raw: str) -> Path:
    path = Path(raw)
    if not path.is_dir():
        raise ValueError("no such directory")
    return path
