"""Privacy use cases: show a user what Mercato stores about them, forget them, and forget a server it left.

When the bot leaves a server (kicked, or the server is deleted), the server's data is deleted after a
grace period (MERCATO_GUILD_GRACE_DAYS, default 7), so an admin who removed the bot by mistake can add
it back without losing the setup: re-adding it cancels the deletion. docs/privacy.md is the statement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alerts.filters import describe_filter
from bot.catalogue import Catalogue
from bot.describe import describe_entity
from bot.models import Stage
from bot.storage import Storage
from bot.storage.privacy import DmHistory, Erased

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FollowedIn:
    """A user's follows in one server, as labels."""

    guild_id: int
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PrivacyReport:
    """What Mercato stores about one user, ready to show them."""

    user_id: int
    follows: tuple[FollowedIn, ...]
    dm_mode: str | None  # None: never set (the default, "deadline", applies)
    dm_blocked: bool  # Discord refused a DM; DMs resume at the user's next command
    dms: tuple[DmHistory, ...]
    feeds_added: tuple[tuple[int, str], ...]

    @property
    def empty(self) -> bool:
        """True when nothing at all is stored about the user."""
        return not (self.follows or self.dm_mode or self.dm_blocked or self.dms or self.feeds_added)


class Privacy:
    """The use cases behind /privacy and the bot leaving or rejoining a server."""

    def __init__(self, storage: Storage, catalogue: Catalogue, *, now: Callable[[], datetime],
                 grace: timedelta) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.now = now
        self.grace = grace

    async def report(self, user_id: int) -> PrivacyReport:
        """Everything stored about ``user_id``, in every server."""
        data = await self.storage.privacy.user_data(user_id)
        by_guild: dict[int, list[str]] = {}
        for follow in data.follows:
            entity = self.catalogue.find(follow.entity_id) if follow.entity_id else None
            if entity is not None:
                label = describe_entity(entity, self.catalogue)
            else:
                label = f"“{follow.term}”" if follow.term else str(follow.entity_id)
            dm_filter = describe_filter(Stage(follow.min_stage) if follow.min_stage else None, follow.max_tier)
            if dm_filter:
                label += f" · DMs {dm_filter}"
            by_guild.setdefault(follow.guild_id, []).append(label)
        follows = tuple(FollowedIn(guild, tuple(labels)) for guild, labels in by_guild.items())
        return PrivacyReport(user_id, follows, data.dm_mode, data.dm_blocked, data.dms, data.feeds_added)

    async def forget(self, user_id: int) -> Erased:
        """Delete everything stored about ``user_id`` in every server."""
        erased = await self.storage.privacy.forget_user(user_id)
        log.info("forgot a user on request: %d follow(s), %d DM record(s)", erased.follows, erased.deliveries)
        return erased

    async def left_guild(self, guild_id: int) -> datetime:
        """The bot left a server: plan the deletion of its data; return when it happens."""
        now = self.now()
        await self.storage.privacy.schedule_departure(guild_id, now=now, delete_after=now + self.grace)
        planned = await self.storage.privacy.departure(guild_id)
        when = planned[1] if planned else now + self.grace
        log.info("left server %s: its data will be deleted on %s unless the bot is added back", guild_id,
                 f"{when:%Y-%m-%d %H:%M} UTC")
        return when

    async def joined_guild(self, guild_id: int) -> bool:
        """The bot is (back) in a server: cancel a planned deletion. True if one was cancelled."""
        cancelled = await self.storage.privacy.cancel_departure(guild_id)
        if cancelled:
            log.info("back in server %s: its data is kept", guild_id)
        return cancelled

    async def reconcile(self, present: Iterable[int]) -> list[int]:
        """After connecting: plan deletions for servers left while the bot was offline; return them."""
        here = set(present)
        for guild_id in here & await self.storage.privacy.planned_departures():
            await self.joined_guild(guild_id)  # re-added while the bot was offline
        gone = sorted(await self.storage.privacy.known_guilds() - here)
        for guild_id in gone:
            await self.left_guild(guild_id)
        return gone

    async def purge_due(self) -> list[int]:
        """Delete the data of every server whose grace period is over; return their ids."""
        purged = []
        for guild_id in await self.storage.privacy.due_departures(self.now()):
            erased = await self.storage.privacy.purge_guild(guild_id)
            log.info("deleted the data of server %s (left %s ago): %d follow(s), %d feed link(s), %d deliveries",
                     guild_id, self.grace, erased.follows, erased.feeds, erased.deliveries)
            purged.append(guild_id)
        return purged
