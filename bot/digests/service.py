"""Digests (issue 12): set them up, find the due ones every minute, and say what each one shows.

A digest is delivered through the outbox like an alert, under the key ``digest:<guild>:<local day>``
and the target of the server's channel or the member's DMs. The digest job enqueues a due digest
and moves its next time on in one transaction; the outbox's unique key makes a second delivery of
the same day impossible, whatever crashes or restarts in between. Its content is read when it is
delivered, as of its scheduled time, so a retry shows the same stories.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.catalogue import Catalogue
from bot.digests.compose import DAY, Covered, compose, of_the_day
from bot.digests.schedule import DEFAULT_ZONE, LATE, find_zone, local_day, next_run, parse_time
from bot.errors import InvalidInput
from bot.models import (
    SERVER,
    AlertKey,
    Delivery,
    DigestSubscription,
    DigestView,
    OutboxRow,
    Stage,
    Story,
    TargetKind,
)
from bot.scheduling import Poller
from bot.storage import Storage

log = logging.getLogger(__name__)
DIGEST_JOB = "mercato-digests"
CHECK_EVERY = timedelta(minutes=1)
MODES = ("daily", "off")
BATCH, MAX_BATCHES = 200, 50  # 10,000 digests due in one minute are all enqueued by one run


@dataclass(frozen=True, slots=True)
class DigestSetting:
    """What /digest did: on (with its time, zone, channel and next run) or off (and whether one was on)."""

    on: bool
    server: bool
    local_time: time | None = None
    zone: str = DEFAULT_ZONE
    next_at: datetime | None = None
    channel_id: int | None = None
    was_on: bool = False


class Digests:
    """The digest use cases: /digest, /alerts timezone and min_stage, the digest job, and rendering."""

    def __init__(self, storage: Storage, catalogue: Catalogue, *, now: Callable[[], datetime]) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.now = now

    async def zone_of(self, guild_id: int) -> str:
        """The server's time zone (UTC until an admin sets one)."""
        return (await self.storage.guilds.get(guild_id)).timezone or DEFAULT_ZONE

    async def set(self, *, guild_id: int, user_id: int, mode: str, at: str | None = None,
                  channel_id: int | None = None) -> DigestSetting:
        """Turn a digest on (``daily``, at local time ``at``) or ``off``.

        ``user_id`` 0 is the server's digest (posted in ``channel_id``); any other is that member's, by DM.
        """
        if mode not in MODES:
            raise InvalidInput("Choose `daily` or `off`.")
        server = user_id == SERVER
        if mode == "off":
            return DigestSetting(False, server, was_on=await self.storage.digests.remove(guild_id, user_id))
        if server and channel_id is None:
            raise InvalidInput("Pick the channel the server's digest goes to.")
        local, zone, now = parse_time(at), await self.zone_of(guild_id), self.now()
        digest = DigestSubscription(guild_id, user_id, channel_id if server else None, local,
                                    next_run(local, zone, now))
        await self.storage.digests.set(digest, now=now)
        return DigestSetting(True, server, local, zone, digest.next_at, digest.channel_id)

    async def set_timezone(self, *, guild_id: int, zone: str) -> tuple[str, list[DigestSubscription]]:
        """Set the server's time zone; its digests keep their local times (their next runs move with it)."""
        name, now = find_zone(zone), self.now()
        digests = await self.storage.digests.of_guild(guild_id)
        moved = {d.user_id: next_run(d.local_time, name, now) for d in digests}
        await self.storage.digests.set_timezone(guild_id, name, moved, now=now)
        return name, await self.storage.digests.of_guild(guild_id)

    async def set_min_stage(self, *, guild_id: int, stage: str) -> Stage | None:
        """Alert live in the channel only from ``stage`` on (``interest``: every stage, the default)."""
        try:
            chosen = Stage(stage)
        except ValueError:
            raise InvalidInput("Pick a stage from the list, from interest to official.") from None
        if chosen.is_negative:
            raise InvalidInput("Denials and collapses always reach the channel: pick a stage from interest to "
                               "official.")
        value = None if chosen is Stage.INTEREST else chosen
        await self.storage.digests.set_min_stage(guild_id, value, now=self.now())
        return value

    # ------------------------------------------------------------------ the job

    async def enqueue_due(self, now: datetime | None = None) -> int:
        """Enqueue every digest due at ``now`` that has stories; move each on to its next run. Returns how many."""
        now = now or self.now()
        enqueued = 0
        for _ in range(MAX_BATCHES):  # each run moves its digest on, so the next batch holds the next ones
            batch = await self.storage.digests.due(now, limit=BATCH)
            for digest in batch:
                enqueued += await self._run(digest, now)
            if len(batch) < BATCH:
                break
        return enqueued

    async def _run(self, digest: DigestSubscription, now: datetime) -> int:
        zone = await self.zone_of(digest.guild_id)
        delivery = None
        if now - digest.next_at <= LATE:  # one the bot slept through by hours is skipped, not sent stale
            ranked = await self._ranked(digest.guild_id, digest.user_id, digest.next_at)
            if ranked:
                newest = max(ranked[0][0].reports, key=lambda r: (r.published, r.item_id))
                kind, target = ((TargetKind.CHANNEL, digest.guild_id) if digest.is_server
                                else (TargetKind.DM, digest.user_id))
                key = AlertKey.for_digest(digest.guild_id, local_day(digest.next_at, zone))
                delivery = Delivery(key, kind, target, digest.guild_id, newest.item_id)
        else:
            log.info("digest of server %s user %s skipped: due at %s, %s late", digest.guild_id, digest.user_id,
                     digest.next_at.isoformat(), now - digest.next_at)
        added = await self.storage.digests.advance(digest, next_run(digest.local_time, zone, now),
                                                   delivery=delivery, now=now)
        return int(added)

    async def _ranked(self, guild_id: int, user_id: int, until: datetime) -> list[tuple[Story, float]]:
        entity_ids, terms = await self.storage.digests.followed(guild_id, user_id)
        if not entity_ids and not terms:
            return []
        stories = await self.storage.stories.about(entity_ids, until - DAY)
        if terms:  # text follows: any story of the day may carry the word in a headline
            known = {s.id for s in stories}
            stories += [s for s in await self.storage.stories.since(until - DAY, limit=500) if s.id not in known]
        floor = (await self.storage.guilds.get(guild_id)).tier_floor if user_id == SERVER else 5
        feeds = await self.storage.timeline.visible_feeds(guild_id)
        return of_the_day(stories, Covered(frozenset(entity_ids), tuple(terms), feeds, floor), until)

    # ------------------------------------------------------------------ delivery (bot.delivery calls these)

    @staticmethod
    def owner(row: OutboxRow) -> int:
        """Whose digest a row delivers: the server's (0) for a channel row, else the member's."""
        return SERVER if row.target_kind is TargetKind.CHANNEL else row.target_id

    async def render(self, row: OutboxRow) -> DigestView | None:
        """The digest a row delivers, as of its scheduled time; None if it has no story any more."""
        key = row.alert_key
        if key.digest_guild_id is None or key.digest_day is None:
            return None
        zone = await self.zone_of(key.digest_guild_id)
        digest = await self.storage.digests.get(key.digest_guild_id, self.owner(row))
        local = digest.local_time if digest is not None else time(23, 59)
        until = datetime.combine(key.digest_day, local, tzinfo=ZoneInfo(zone)).astimezone(UTC)
        ranked = await self._ranked(key.digest_guild_id, self.owner(row), until)
        if not ranked:
            return None
        server = row.target_kind is TargetKind.CHANNEL
        return compose(ranked, day=key.digest_day, zone=zone, until=until, server=server, name=self._name)

    async def skip_reason(self, row: OutboxRow) -> str | None:
        """Why a digest row must not be delivered any more (turned off, channel refused, DMs closed), if so."""
        digest = await self.storage.digests.get(row.guild_id, self.owner(row))
        if digest is None:
            return "the digest was turned off"
        if digest.failure is not None:
            return digest.failure
        if row.target_kind is TargetKind.DM:
            user = await self.storage.users.get(row.target_id)
            return (user.dm_error or "DMs undeliverable") if user.dm_undeliverable else None
        return None

    async def channel_of(self, row: OutboxRow) -> int | None:
        """The channel a server's digest goes to."""
        digest = await self.storage.digests.get(row.guild_id, SERVER)
        return digest.channel_id if digest is not None else None

    async def channel_failed(self, row: OutboxRow, reason: str) -> bool:
        """Stop a server's digest whose channel Discord refused. True if the server should be told (the first time)."""
        return await self.storage.digests.record_failure(row.guild_id, reason, now=self.now())

    def _name(self, entity_id: str) -> str:
        entity = self.catalogue.find(entity_id)
        return entity.name if entity is not None else entity_id


def schedule_digests(poller: Poller, digests: Digests, *, on_enqueued: Callable[[], None]) -> None:
    """Look for due digests every minute in the poller's scheduler; ``on_enqueued`` wakes the delivery."""
    async def job() -> None:
        if await digests.enqueue_due():
            on_enqueued()

    poller.every(DIGEST_JOB, CHECK_EVERY, job, first_in=timedelta(seconds=10))
