"""SQL for server settings (alert channel, tier floor, lead time, channel failure) and user DM settings.

A server or user without a row has the defaults; rows are created on the first change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import ChannelKind, DmMode, GuildSettings, Stage, UserSettings
from bot.storage.db import Database, opt_from_db, to_db

GET_GUILD: Final = "SELECT * FROM guild_settings WHERE guild_id = :guild_id"
GUILDS_IN: Final = "SELECT * FROM guild_settings WHERE guild_id IN (SELECT value FROM json_each(:ids))"
# Setting a channel clears a recorded failure: the admin has fixed (or replaced) it.
SET_CHANNEL: Final = """
INSERT INTO guild_settings (guild_id, alert_channel_id, alert_channel_kind, updated_at)
VALUES (:guild_id, :channel_id, :kind, :now)
ON CONFLICT (guild_id) DO UPDATE SET alert_channel_id = :channel_id, alert_channel_kind = :kind, channel_failure = NULL,
    channel_failed_at = NULL, failure_notified = 0, updated_at = :now
"""
SET_TIER: Final = """
INSERT INTO guild_settings (guild_id, tier_floor, updated_at) VALUES (:guild_id, :tier, :now)
ON CONFLICT (guild_id) DO UPDATE SET tier_floor = :tier, updated_at = :now
"""
SET_LEAD: Final = """
INSERT INTO guild_settings (guild_id, deadline_lead_hours, updated_at) VALUES (:guild_id, :hours, :now)
ON CONFLICT (guild_id) DO UPDATE SET deadline_lead_hours = :hours, updated_at = :now
"""
# Only the first failure is recorded: the reason the server will be told about.
RECORD_FAILURE: Final = """
UPDATE guild_settings SET channel_failure = :reason, channel_failed_at = :now, updated_at = :now
WHERE guild_id = :guild_id AND channel_failure IS NULL
"""
MARK_NOTIFIED: Final = """
UPDATE guild_settings SET failure_notified = 1 WHERE guild_id = :guild_id AND failure_notified = 0
    AND channel_failure IS NOT NULL
"""
MAX_LEAD: Final = "SELECT max(deadline_lead_hours) FROM guild_settings"

GET_USER: Final = "SELECT * FROM user_settings WHERE user_id = :user_id"
USERS_IN: Final = "SELECT * FROM user_settings WHERE user_id IN (SELECT value FROM json_each(:ids))"
SET_DM_MODE: Final = """
INSERT INTO user_settings (user_id, dm_mode, updated_at) VALUES (:user_id, :mode, :now)
ON CONFLICT (user_id) DO UPDATE SET dm_mode = :mode, updated_at = :now
"""
MARK_UNDELIVERABLE: Final = """
INSERT INTO user_settings (user_id, dm_undeliverable, dm_error, updated_at) VALUES (:user_id, 1, :reason, :now)
ON CONFLICT (user_id) DO UPDATE SET dm_undeliverable = 1, dm_error = :reason, updated_at = :now
"""
CLEAR_UNDELIVERABLE: Final = """
UPDATE user_settings SET dm_undeliverable = 0, dm_error = NULL, updated_at = :now
WHERE user_id = :user_id AND dm_undeliverable = 1
"""
IS_UNDELIVERABLE: Final = "SELECT 1 FROM user_settings WHERE user_id = :user_id AND dm_undeliverable = 1"


def _guild(row: aiosqlite.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        alert_channel_id=row["alert_channel_id"],
        tier_floor=row["tier_floor"],
        deadline_lead_hours=row["deadline_lead_hours"],
        channel_failure=row["channel_failure"],
        channel_failed_at=opt_from_db(row["channel_failed_at"]),
        failure_notified=bool(row["failure_notified"]),
        timezone=row["timezone"],
        min_stage=Stage(row["min_stage"]) if row["min_stage"] else None,
        alert_channel_kind=ChannelKind(row["alert_channel_kind"]),
    )


def _user(row: aiosqlite.Row) -> UserSettings:
    return UserSettings(
        user_id=row["user_id"],
        dm_mode=DmMode(row["dm_mode"]),
        dm_undeliverable=bool(row["dm_undeliverable"]),
        dm_error=row["dm_error"],
    )


def _ids(ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in set(ids)) + "]"


class GuildStore:
    """Per-server settings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        """Return a server's settings (the defaults if it never changed any)."""
        row = await self._db.fetchone(GET_GUILD, {"guild_id": guild_id})
        return _guild(row) if row else GuildSettings(guild_id)

    async def many(self, guild_ids: Iterable[int]) -> dict[int, GuildSettings]:
        """Return the settings of several servers at once, defaults included."""
        wanted = set(guild_ids)
        rows = await self._db.fetchall(GUILDS_IN, {"ids": _ids(wanted)})
        found = {r["guild_id"]: _guild(r) for r in rows}
        return {g: found.get(g, GuildSettings(g)) for g in wanted}

    async def set_alert_channel(
        self, guild_id: int, channel_id: int | None, *, now: datetime, kind: ChannelKind = ChannelKind.TEXT
    ) -> None:
        """Send alerts to ``channel_id`` (None: no channel alerts), a text channel or a forum; clears a
        recorded channel failure."""
        params = {"guild_id": guild_id, "channel_id": channel_id, "kind": kind.value, "now": to_db(now)}
        await self._db.execute(SET_CHANNEL, params)

    async def set_tier_floor(self, guild_id: int, tier: int, *, now: datetime) -> None:
        """Hide alerts whose best source is less reliable than ``tier`` (0-5)."""
        if not 0 <= tier <= 5:
            raise ValueError("tier must be 0-5")
        await self._db.execute(SET_TIER, {"guild_id": guild_id, "tier": tier, "now": to_db(now)})

    async def set_lead_hours(self, guild_id: int, hours: int | None, *, now: datetime) -> None:
        """Set the deadline lead time for DMs (None: back to the operator's default)."""
        await self._db.execute(SET_LEAD, {"guild_id": guild_id, "hours": hours, "now": to_db(now)})

    async def record_channel_failure(self, guild_id: int, reason: str, *, now: datetime) -> bool:
        """Stop channel alerts for a server and record why. True if this is a new failure."""
        params = {"guild_id": guild_id, "reason": reason[:300], "now": to_db(now)}
        return await self._db.execute(RECORD_FAILURE, params) > 0

    async def mark_failure_notified(self, guild_id: int) -> bool:
        """Record that the server was told about its channel failure. True if it had not been told yet."""
        return await self._db.execute(MARK_NOTIFIED, {"guild_id": guild_id}) > 0

    async def max_lead_hours(self) -> int | None:
        """The longest lead time any server set, if any did."""
        row = await self._db.fetchone(MAX_LEAD)
        return None if row is None or row[0] is None else int(row[0])


class UserStore:
    """Per-user DM settings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> UserSettings:
        """Return a user's settings (the defaults if they never changed any)."""
        row = await self._db.fetchone(GET_USER, {"user_id": user_id})
        return _user(row) if row else UserSettings(user_id)

    async def many(self, user_ids: Iterable[int]) -> dict[int, UserSettings]:
        """Return the settings of several users at once, defaults included."""
        wanted = set(user_ids)
        rows = await self._db.fetchall(USERS_IN, {"ids": _ids(wanted)})
        found = {r["user_id"]: _user(r) for r in rows}
        return {u: found.get(u, UserSettings(u)) for u in wanted}

    async def changed(self, user_ids: Iterable[int]) -> dict[int, UserSettings]:
        """The settings of those of these users who changed any; the others have the defaults.

        Alert planning asks about ten thousand followers at once, most of whom never changed a setting.
        """
        rows = await self._db.fetchall(USERS_IN, {"ids": _ids(user_ids)})
        return {r["user_id"]: _user(r) for r in rows}

    async def set_dm_mode(self, user_id: int, mode: DmMode, *, now: datetime) -> None:
        """Set when the user gets DMs."""
        await self._db.execute(SET_DM_MODE, {"user_id": user_id, "mode": mode.value, "now": to_db(now)})

    async def mark_dm_undeliverable(self, user_id: int, reason: str, *, now: datetime) -> None:
        """Stop DMs to a user whose DMs Discord refused, until they next use a command."""
        await self._db.execute(MARK_UNDELIVERABLE, {"user_id": user_id, "reason": reason[:300], "now": to_db(now)})

    async def clear_dm_undeliverable(self, user_id: int, *, now: datetime) -> bool:
        """Allow DMs again (the user just used a command). True if they had been stopped.

        Reads first so that the common case (nothing to clear) costs no write transaction.
        """
        if await self._db.fetchone(IS_UNDELIVERABLE, {"user_id": user_id}) is None:
            return False
        return await self._db.execute(CLEAR_UNDELIVERABLE, {"user_id": user_id, "now": to_db(now)}) > 0
