"""SQL for privacy: what is stored about a user, deleting it, and deleting a server's data after the bot left.

What identifies a person: their follows (per server), their DM settings, the DM deliveries to them in
the outbox, and their user id on the server feeds they added. A server's data: its settings, its feeds
(feeds nobody else reads go, with their items), its members' follows there, and its deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.storage.db import Database, from_db, opt_from_db, to_db
from bot.storage.feeds import GLOBAL

USER_FOLLOWS: Final = """
SELECT guild_id, entity_id, term, created_at, min_stage, max_tier FROM follows WHERE user_id = :user_id
ORDER BY guild_id, created_at, id
"""
USER_SETTINGS: Final = "SELECT dm_mode, dm_undeliverable, updated_at FROM user_settings WHERE user_id = :user_id"
USER_DMS: Final = """
SELECT status, count(*) AS n, min(created_at) AS first, max(updated_at) AS last FROM outbox
WHERE target_kind = 'dm' AND target_id = :user_id GROUP BY status
"""
USER_FEEDS: Final = """
SELECT g.guild_id, f.url FROM feed_guilds g JOIN feeds f ON f.id = g.feed_id WHERE g.added_by = :user_id
ORDER BY g.guild_id, f.url
"""
FORGET_FOLLOWS: Final = "DELETE FROM follows WHERE user_id = :user_id"
FORGET_SETTINGS: Final = "DELETE FROM user_settings WHERE user_id = :user_id"
FORGET_DIGESTS: Final = "DELETE FROM digests WHERE user_id = :user_id AND user_id <> 0"  # their DM digests
FORGET_DMS: Final = "DELETE FROM outbox WHERE target_kind = 'dm' AND target_id = :user_id"
FORGET_ADDED_BY: Final = "UPDATE feed_guilds SET added_by = NULL WHERE added_by = :user_id"

# A departure keeps its first date: leaving twice does not push the deletion back.
SCHEDULE: Final = """
INSERT INTO guild_departures (guild_id, left_at, delete_after) VALUES (:guild_id, :now, :delete_after)
ON CONFLICT (guild_id) DO NOTHING
"""
CANCEL: Final = "DELETE FROM guild_departures WHERE guild_id = :guild_id"
DEPARTURE: Final = "SELECT left_at, delete_after FROM guild_departures WHERE guild_id = :guild_id"
DUE: Final = "SELECT guild_id FROM guild_departures WHERE delete_after <= :now ORDER BY delete_after"
PLANNED: Final = "SELECT guild_id FROM guild_departures"
KNOWN_GUILDS: Final = f"""
SELECT guild_id FROM guild_settings
UNION SELECT guild_id FROM feed_guilds WHERE guild_id <> {GLOBAL}
UNION SELECT guild_id FROM follows
UNION SELECT guild_id FROM alert_pings
"""
PURGE_GUILD: Final = (
    "DELETE FROM follows WHERE guild_id = :guild_id",
    "DELETE FROM guild_settings WHERE guild_id = :guild_id",
    "DELETE FROM outbox WHERE guild_id = :guild_id",
    f"DELETE FROM feed_guilds WHERE guild_id = :guild_id AND guild_id <> {GLOBAL}",
    "DELETE FROM feeds WHERE id NOT IN (SELECT feed_id FROM feed_guilds)",
    "DELETE FROM guild_departures WHERE guild_id = :guild_id",
    "DELETE FROM alert_pings WHERE guild_id = :guild_id",  # its role pings (issue 12)
    "DELETE FROM digests WHERE guild_id = :guild_id",
    "DELETE FROM forum_posts WHERE guild_id = :guild_id",
)


@dataclass(frozen=True, slots=True)
class StoredFollow:
    """One follow, as stored."""

    guild_id: int
    entity_id: str | None
    term: str | None
    created_at: datetime
    min_stage: str | None = None  # the follow's DM filter (issue 12)
    max_tier: int | None = None


@dataclass(frozen=True, slots=True)
class DmHistory:
    """The DM deliveries to a user with one status."""

    status: str
    count: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class UserData:
    """Everything stored about one user."""

    follows: tuple[StoredFollow, ...]
    dm_mode: str | None  # None: never changed (the default applies)
    dm_blocked: bool
    settings_updated: datetime | None
    dms: tuple[DmHistory, ...]
    feeds_added: tuple[tuple[int, str], ...]  # (server id, feed URL)


@dataclass(frozen=True, slots=True)
class Erased:
    """How many rows of each kind a deletion removed."""

    follows: int = 0
    settings: int = 0
    deliveries: int = 0
    feeds: int = 0  # feeds the user added (their id removed) or the server's feeds (unlinked)


class PrivacyStore:
    """Reads and deletes personal and per-server data."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def user_data(self, user_id: int) -> UserData:
        """Everything stored about ``user_id``."""
        params = {"user_id": user_id}
        follows = tuple(
            StoredFollow(r["guild_id"], r["entity_id"], r["term"], from_db(r["created_at"]), r["min_stage"],
                         r["max_tier"])
            for r in await self._db.fetchall(USER_FOLLOWS, params)
        )
        settings = await self._db.fetchone(USER_SETTINGS, params)
        dms = tuple(
            DmHistory(r["status"], int(r["n"]), from_db(r["first"]), from_db(r["last"]))
            for r in await self._db.fetchall(USER_DMS, params)
        )
        feeds = tuple((int(r["guild_id"]), str(r["url"])) for r in await self._db.fetchall(USER_FEEDS, params))
        return UserData(
            follows,
            None if settings is None else str(settings["dm_mode"]),
            bool(settings and settings["dm_undeliverable"]),
            None if settings is None else opt_from_db(settings["updated_at"]),
            dms,
            feeds,
        )

    async def forget_user(self, user_id: int) -> Erased:
        """Delete everything stored about ``user_id``, in every server, in one transaction."""
        params = {"user_id": user_id}
        async with self._db.transaction() as conn:
            follows = (await conn.execute(FORGET_FOLLOWS, params)).rowcount
            settings = (await conn.execute(FORGET_SETTINGS, params)).rowcount
            settings += (await conn.execute(FORGET_DIGESTS, params)).rowcount
            deliveries = (await conn.execute(FORGET_DMS, params)).rowcount
            feeds = (await conn.execute(FORGET_ADDED_BY, params)).rowcount
        return Erased(follows, settings, deliveries, feeds)

    async def schedule_departure(self, guild_id: int, *, now: datetime, delete_after: datetime) -> bool:
        """Plan the deletion of a server's data. False if it was already planned (the first date stands)."""
        params = {"guild_id": guild_id, "now": to_db(now), "delete_after": to_db(delete_after)}
        return await self._db.execute(SCHEDULE, params) > 0

    async def cancel_departure(self, guild_id: int) -> bool:
        """The bot is back in the server: keep its data. True if a deletion was planned."""
        return await self._db.execute(CANCEL, {"guild_id": guild_id}) > 0

    async def departure(self, guild_id: int) -> tuple[datetime, datetime] | None:
        """(left at, delete after) of a planned deletion, if any."""
        row = await self._db.fetchone(DEPARTURE, {"guild_id": guild_id})
        return None if row is None else (from_db(row["left_at"]), from_db(row["delete_after"]))

    async def due_departures(self, now: datetime) -> list[int]:
        """Servers whose grace period is over."""
        return [int(r[0]) for r in await self._db.fetchall(DUE, {"now": to_db(now)})]

    async def planned_departures(self) -> set[int]:
        """Servers whose data is due to be deleted."""
        return {int(r[0]) for r in await self._db.fetchall(PLANNED)}

    async def known_guilds(self) -> set[int]:
        """Every server that has settings, feeds or follows stored."""
        return {int(r[0]) for r in await self._db.fetchall(KNOWN_GUILDS)}

    async def purge_guild(self, guild_id: int) -> Erased:
        """Delete a server's settings, feeds, members' follows and deliveries, in one transaction."""
        counts = []
        async with self._db.transaction() as conn:
            for sql in PURGE_GUILD:
                counts.append((await conn.execute(sql, {"guild_id": guild_id})).rowcount)
        # Role pings (issue 12) are the server's settings too.
        return Erased(follows=counts[0], settings=counts[1] + counts[6], deliveries=counts[2], feeds=counts[3])
