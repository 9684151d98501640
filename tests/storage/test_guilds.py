"""Server and user settings on real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import DmMode, GuildSettings, UserSettings
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)


async def test_defaults_without_a_row(storage: Storage) -> None:
    assert await storage.guilds.get(1) == GuildSettings(1)
    assert (await storage.guilds.get(1)).tier_floor == 5 and not (await storage.guilds.get(1)).delivering
    assert await storage.users.get(7) == UserSettings(7, DmMode.DEADLINE)
    assert await storage.guilds.max_lead_hours() is None


async def test_channel_failure_is_recorded_once_and_cleared_by_a_new_channel(storage: Storage) -> None:
    await storage.guilds.set_alert_channel(1, 100, now=NOW)
    assert (await storage.guilds.get(1)).delivering
    assert await storage.guilds.record_channel_failure(1, "deleted", now=NOW)
    assert not await storage.guilds.record_channel_failure(1, "again", now=NOW)  # the first reason is kept
    assert await storage.guilds.mark_failure_notified(1)
    assert not await storage.guilds.mark_failure_notified(1)  # told once
    failed = await storage.guilds.get(1)
    assert failed.channel_failure == "deleted" and failed.failure_notified and not failed.delivering
    assert failed.channel_failed_at == NOW

    await storage.guilds.set_alert_channel(1, 200, now=NOW)
    fixed = await storage.guilds.get(1)
    assert fixed.delivering and fixed.alert_channel_id == 200 and not fixed.failure_notified


async def test_tier_floor_and_lead_hours(storage: Storage) -> None:
    await storage.guilds.set_tier_floor(1, 3, now=NOW)
    await storage.guilds.set_lead_hours(2, 120, now=NOW)
    with pytest.raises(ValueError, match="0-5"):
        await storage.guilds.set_tier_floor(1, 6, now=NOW)
    many = await storage.guilds.many([1, 2, 3])
    assert (many[1].tier_floor, many[2].deadline_lead_hours, many[3]) == (3, 120, GuildSettings(3))
    assert await storage.guilds.max_lead_hours() == 120


async def test_dm_mode_and_undeliverable_flag(storage: Storage) -> None:
    await storage.users.set_dm_mode(7, DmMode.ALWAYS, now=NOW)
    assert not await storage.users.clear_dm_undeliverable(7, now=NOW)  # nothing to clear
    await storage.users.mark_dm_undeliverable(7, "50007", now=NOW)
    await storage.users.mark_dm_undeliverable(8, "50007", now=NOW)  # no row yet: created
    many = await storage.users.many([7, 8, 9])
    assert many[7] == UserSettings(7, DmMode.ALWAYS, True, "50007")
    assert many[8].dm_undeliverable and many[8].dm_mode is DmMode.DEADLINE
    assert many[9] == UserSettings(9)
    assert await storage.users.clear_dm_undeliverable(7, now=NOW)
    assert await storage.users.get(7) == UserSettings(7, DmMode.ALWAYS)
