"""The alert pipeline: each poll tick ingests due feeds, routes their new items and commits the
deliveries to the outbox; the dispatcher drains the outbox (bot.delivery).

The bot, ``mercato poll`` and ``mercato demo`` all run this same code.

Storing a poll's items (with their stories) and enqueueing their alerts are two transactions. A
process killed between them leaves items that are known (so never new again) but never planned;
the "planned through" watermark — written in the same transaction as the deliveries — finds those
on the next tick and plans them from what was stored. Planning twice is harmless: the outbox's
unique key turns a repeat into an update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.alerts.forum import StoryThreads
from bot.alerts.plan import PlanContext, Planned, StoryAlertKeys, item_tier, plan_deliveries
from bot.alerts.render import Renderer
from bot.alerts.routing import concerned_follows, concerned_pings
from bot.app import App
from bot.deadlines import Calendar
from bot.delivery import Dispatcher
from bot.digests import Digests
from bot.errors import storage_fault
from bot.ingest import FeedReport, PollResult
from bot.models import EnqueueResult, Feed, IngestedItem, StoryUpdate
from bot.scheduling import Poller, TickReport
from bot.storage import GLOBAL

log = logging.getLogger(__name__)
PLANNED_THROUGH = "outbox_planned_through"  # meta key: newest item id whose alerts are in the outbox


class AlertPipeline:
    """Poll → route → plan → outbox, with crash recovery; owns the poller and the dispatcher."""

    def __init__(self, app: App, *, calendar: Calendar, now: Callable[[], datetime]) -> None:
        self.app = app
        self.storage = app.storage
        self.calendar = calendar
        self.now = now
        self.render = Renderer(app.storage, app.catalogue, now=now)
        self.digests = Digests(app.storage, app.catalogue, now=now)  # daily digests, through the outbox (issue 12)
        self.threads = StoryThreads(app.storage, app.catalogue, self.render, now=now)  # forum alert channels
        self.dispatcher = Dispatcher(app.storage, self.render, now=now, digests=self.digests, forum=self.threads)
        self.poller = Poller(
            self.run_cycle,
            is_deadline=self.deadline_mode,
            on_deadline_start=app.storage.feeds.make_all_due,
            now=now,
            interval=timedelta(seconds=app.settings.poll_interval),
            deadline_interval=timedelta(seconds=app.settings.deadline_poll_interval),
        )

    async def deadline_mode(self, now: datetime) -> bool:
        """True while any window closes within the longest lead time any server uses."""
        hours = max(self.app.settings.deadline_lead_hours, await self.storage.guilds.max_lead_hours() or 0)
        return self.calendar.deadline_mode(now, timedelta(hours=hours))

    async def run_cycle(self, now: datetime, interval: timedelta) -> TickReport:
        """One poll tick: poll due feeds, then commit the alerts they produce to the outbox."""
        result, alerts, enqueued = await self.poll(now, interval=interval)
        notices = await self._paused_feed_notices(result.reports)
        deadline = self.poller.deadline_mode
        return TickReport(now, deadline, interval, len(result.reports), len(alerts), enqueued.added, notices)

    async def poll(
        self, now: datetime, *, interval: timedelta | None = None
    ) -> tuple[PollResult, list[IngestedItem], EnqueueResult]:
        """Poll due feeds and plan their alerts (and any an interrupted poll left unplanned)."""
        planned_through = await self._planned_through()
        result = await self.app.ingestor.poll_due(now, interval=interval)
        self.app.metrics.poll_result(result)  # polls, items, rumours (bot/metrics.py)
        fresh = {a.item.id for a in result.alerts}
        recovered = [a for a in await self._unplanned(planned_through, now) if a.item.id not in fresh]
        if recovered:
            log.warning("planning %d alert(s) stored before an interrupted poll", len(recovered))
        # Poll order: an alert shows its story's earliest new report, however the items were recovered.
        alerts = sorted([*recovered, *result.alerts], key=lambda a: (a.item.published_at, a.item.id))
        newest = max((a.item.id for a in alerts), default=planned_through)
        try:
            # The watermark moves only when there is something newer: an idle tick writes nothing.
            moved = newest if newest > planned_through else None
            enqueued = await self.plan(alerts, now, planned_through=moved)
        except Exception as exc:
            if (fault := storage_fault(exc)) is None:
                raise
            # Nothing was enqueued and the watermark did not move: the next tick plans these items again.
            log.error("%d alert(s) not queued yet, retrying next tick: %s", len(alerts), fault)
            enqueued = EnqueueResult()
        return result, alerts, enqueued

    async def plan(
        self, alerts: Sequence[IngestedItem], now: datetime, *, planned_through: int | None = None
    ) -> EnqueueResult:
        """Route new items to the servers and users that follow what they mention; enqueue the deliveries.

        One alert per story: reports of a story an alert already carries edit that alert.
        """
        planned = []
        for ingested in alerts:
            hits = await concerned_follows(self.storage, ingested.item, ingested.feed)
            # A server whose ping rule names what the item mentions may want it though nobody follows it.
            pings = frozenset(await concerned_pings(self.storage, ingested.item, ingested.feed))
            if hits or pings:
                tier = item_tier(ingested, self._feed_tier(ingested.feed))
                planned.append(Planned(ingested, hits, tier, ping_guilds=pings))
        meta = {PLANNED_THROUGH: str(planned_through)} if planned_through is not None else None
        if not planned:
            return await self.storage.outbox.enqueue([], now=now, meta=meta) if meta else EnqueueResult()
        story_keys = [u.key for p in planned for u in p.ingested.stories]
        keyer = StoryAlertKeys(await self.storage.outbox.alerts_for_stories(story_keys))
        deliveries = plan_deliveries(planned, await self._context(planned, now), key=keyer)
        return await self.storage.outbox.enqueue(deliveries, now=now, stories=keyer.carried, meta=meta)

    async def _context(self, planned: Sequence[Planned], now: datetime) -> PlanContext:
        guild_ids = {g for p in planned for followers in p.hits for g in followers.guild_ids}
        guild_ids.update(g for p in planned for g in p.ping_guilds)
        user_ids = {u for p in planned for followers in p.hits for u in followers.user_ids}
        return PlanContext(
            guilds=await self.storage.guilds.many(guild_ids),
            users=await self.storage.users.changed(user_ids),
            calendar=self.calendar,
            catalogue=self.app.catalogue,
            now=now,
            default_lead=timedelta(hours=self.app.settings.deadline_lead_hours),
            pings=await self.storage.pings.of_guilds(guild_ids),
        )

    def _feed_tier(self, feed: Feed) -> int | None:
        source = self.app.sources.for_feed(feed.url, feed.title)
        return source.tier if source is not None and source.known else None

    async def _paused_feed_notices(self, reports: Sequence[FeedReport]) -> tuple[tuple[int, str], ...]:
        """Tell each server that added a feed when the feed gets paused (it happens once per pause)."""
        notices = []
        for report in reports:
            feed = await self.storage.feeds.get(report.feed_id) if report.paused else None
            for guild_id in feed.guild_ids if feed is not None else ():
                if guild_id != GLOBAL:
                    text = (f"Mercato paused the feed <{report.url}> after repeated failures (last: {report.error}). "
                            "Fix it, then run /feeds add again to resume it.")
                    notices.append((guild_id, text))
        return tuple(notices)

    async def _planned_through(self) -> int:
        """The id of the newest item whose alerts are planned; on a first start, every item stored so far."""
        stored = await self.storage.meta.get(PLANNED_THROUGH)
        if stored is not None:
            return int(stored)
        newest = await self.storage.timeline.max_item_id()
        await self.storage.meta.set(PLANNED_THROUGH, str(newest))
        return newest

    async def _unplanned(self, planned_through: int, now: datetime) -> list[IngestedItem]:
        """Alertable items stored after the watermark (still young enough to alert), rebuilt for planning.

        Their stories were committed with them, so the alert is keyed by them, as the poll that
        stored them would have done; their mentions are read back rather than matched again.
        """
        since = now - timedelta(hours=self.app.settings.max_item_age_hours)
        recovered = []
        for item in await self.storage.timeline.alertable_after(planned_through, since=since):
            feed = await self.storage.feeds.get(item.feed_id)
            if feed is None:
                continue
            stories = tuple(
                StoryUpdate(s.id, s.player_id, s.to_club_id, s.stage, s.stage, False)
                for s in await self.storage.stories.of_item(item.id)
            )
            match = await asyncio.to_thread(self.app.matcher.match_item, item.title, item.summary)  # CPU: off the loop
            recovered.append(IngestedItem(item, match, feed, stories=stories))
        return recovered
