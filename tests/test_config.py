"""Settings: defaults, .env, every invalid value reported at once, the token never shown."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.log import RedactFilter


def test_defaults() -> None:
    """With nothing set, the documented defaults apply."""
    settings = Settings.from_env({}, env_file=None)
    assert settings.discord_token is None
    assert settings.db_path == Path("data/mercato.sqlite3")
    assert (settings.poll_interval, settings.deadline_poll_interval, settings.max_item_age_hours) == (300, 60, 48)
    assert settings.allow_private_feeds is False
    assert settings.log_level == "INFO"


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    """A .env file supplies values; real environment variables override it."""
    env = tmp_path / ".env"
    env.write_text("DISCORD_TOKEN=from-file\nMERCATO_POLL_INTERVAL=120\n", encoding="utf-8")
    settings = Settings.from_env({"MERCATO_POLL_INTERVAL": "90"}, env_file=env)
    assert settings.discord_token == "from-file"
    assert settings.poll_interval == 90


def test_every_invalid_value_is_reported_at_once() -> None:
    """Each bad variable is named with what was expected, all in one error."""
    with pytest.raises(ConfigError) as info:
        Settings.from_env(
            {
                "MERCATO_POLL_INTERVAL": "often",
                "MERCATO_DEADLINE_POLL_INTERVAL": "1",
                "MERCATO_MAX_ITEM_AGE_HOURS": "-4",
                "MERCATO_ALLOW_PRIVATE_FEEDS": "maybe",
                "MERCATO_LOG_LEVEL": "LOUD",
                "MERCATO_DEV_GUILD": "abc",
            },
            env_file=None,
        )
    message = str(info.value)
    for name in ("MERCATO_POLL_INTERVAL", "MERCATO_DEADLINE_POLL_INTERVAL", "MERCATO_MAX_ITEM_AGE_HOURS",
                 "MERCATO_ALLOW_PRIVATE_FEEDS", "MERCATO_LOG_LEVEL", "MERCATO_DEV_GUILD"):
        assert name in message
    assert len(info.value.problems) == 6


def test_token_is_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    """The token does not appear in the settings' repr, and the log filter redacts it."""
    settings = Settings.from_env({"DISCORD_TOKEN": "sekrit.token.value"}, env_file=None)
    assert "sekrit" not in repr(settings)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "connecting with %s", ("sekrit.token.value",), None)
    RedactFilter("sekrit.token.value").filter(record)
    assert "sekrit" not in record.getMessage()
    assert "[redacted]" in record.getMessage()


def test_operations_settings() -> None:
    """The settings issue 11 added: their defaults, and their values when set."""
    defaults = Settings.from_env({}, env_file=None)
    assert (defaults.contact, defaults.http_port, defaults.http_host) == (None, None, "127.0.0.1")
    assert (defaults.retention_days, defaults.guild_grace_days, defaults.db_busy_timeout) == (180, 7, 5.0)
    custom = Settings.from_env(
        {"MERCATO_CONTACT": "mailto:ops@example.org", "MERCATO_HTTP_PORT": "8080", "MERCATO_HTTP_HOST": "0.0.0.0",
         "MERCATO_RETENTION_DAYS": "30", "MERCATO_GUILD_GRACE_DAYS": "0", "MERCATO_DB_BUSY_TIMEOUT": "1.5"},
        env_file=None,
    )
    assert (custom.contact, custom.http_port, custom.http_host) == ("mailto:ops@example.org", 8080, "0.0.0.0")
    assert (custom.retention_days, custom.guild_grace_days, custom.db_busy_timeout) == (30, 0, 1.5)


def test_a_single_problem_is_one_line_and_names_only_the_variable() -> None:
    """One bad value: one line with the variable and what is expected, never the value."""
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"MERCATO_HTTP_PORT": "Bot.MTIz.secret"}, env_file=None)
    assert str(info.value) == "Invalid configuration: MERCATO_HTTP_PORT: expected a whole number from 1 to 65535"


def test_reading_processes_default_to_one_per_cpu_and_can_be_turned_off() -> None:
    """MERCATO_READ_WORKERS: `auto` (the default) reads in one process per CPU (none on a single CPU);
    0 reads in the bot's own process; anything else is one clear line."""
    from bot.config import auto_read_workers

    cpus = len(os.sched_getaffinity(0))
    assert auto_read_workers() == (0 if cpus < 2 else min(cpus, 4))
    assert Settings.from_env({}, env_file=None).read_workers == auto_read_workers()
    assert Settings.from_env({"MERCATO_READ_WORKERS": "auto"}, env_file=None).read_workers == auto_read_workers()
    assert Settings.from_env({"MERCATO_READ_WORKERS": "0"}, env_file=None).read_workers == 0
    assert Settings.from_env({"MERCATO_READ_WORKERS": "3"}, env_file=None).read_workers == 3
    assert Settings().read_workers == 0  # built in code (tests, embedding): a thread
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"MERCATO_READ_WORKERS": "lots"}, env_file=None)
    assert str(info.value) == ("Invalid configuration: MERCATO_READ_WORKERS: expected auto or a whole number from 0 "
                               "(read in the bot's process) to 32")


def test_the_reader_cache_is_in_the_user_cache_folder_unless_set_or_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/someone")
    assert Settings.from_env({}, env_file=None).cache_dir == Path("/var/cache/someone/mercato")
    assert Settings.from_env({"MERCATO_CACHE_DIR": "/tmp/m"}, env_file=None).cache_dir == Path("/tmp/m")
    assert Settings.from_env({"MERCATO_CACHE_DIR": "off"}, env_file=None).cache_dir is None
    assert Settings.from_env({"MERCATO_CACHE_DIR": "~/c"}, env_file=None).cache_dir == Path.home() / "c"
    assert Settings().cache_dir is None  # settings built in code (tests, embedding) build every time
