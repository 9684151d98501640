"""The facade the Discord cogs call: one method per command, plain dataclasses out, no Discord.

It also wires the alert pipeline the bot runs in the background: the poll cycle
(:meth:`Services.run_cycle`: ingest, route, plan, enqueue), the :class:`~bot.scheduling.Poller`
that runs it, and the :class:`~bot.delivery.Dispatcher` that drains the outbox.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import intel
from bot.alerts import (
    AlertKey,
    AlertView,
    PlanContext,
    Planned,
    StoryAlertKeys,
    alert_key,
    build_alert_view,
    build_story_view,
    item_tier,
    plan_deliveries,
    pretty,
    safe_link,
)
from bot.app import App
from bot.catalogue import norm
from bot.deadlines import Calendar, Window, load_windows
from bot.delivery import Dispatcher
from bot.errors import InvalidInput, LimitReached, NotFound
from bot.feeds.guard import validate_feed_url
from bot.following import Following, FollowTarget, describe_entity
from bot.ingest import FeedReport, IngestedItem
from bot.models import Entity, EntityKind, Feed, StoredItem
from bot.routing import concerned_follows, item_folded_text, term_matches
from bot.scheduling import Poller, TickReport
from bot.storage import GLOBAL
from bot.storage.guilds import DmMode
from bot.storage.outbox import EnqueueResult, OutboxRow
from bot.stories import StoryUpdate

log = logging.getLogger(__name__)
_STORY_KEY = re.compile(r"^story:(\d+):")  # alert keys of stories (bot.stories.StoryUpdate.key)

MAX_CHOICES = 25  # Discord's limit for autocomplete
MAX_SERVER_FEEDS = 10
SHORTLIST_DAYS = 30
TERM_SCAN = 300  # recent items scanned for a term follow's latest news
PLANNED_THROUGH = "outbox_planned_through"  # meta key: newest item id whose alerts are in the outbox


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete choice: what the user sees, and the value the command receives."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Headline:
    """One item as a line: title, link, outlet, when."""

    title: str
    link: str | None
    outlet: str | None
    published: datetime


@dataclass(frozen=True, slots=True)
class FollowResult:
    """What /follow did."""

    label: str
    added: bool  # False: already followed
    is_term: bool  # nothing in the catalogue matched: followed as free text
    latest: Headline | None


@dataclass(frozen=True, slots=True)
class FollowLine:
    """One of the user's follows with its latest news."""

    label: str
    is_term: bool
    latest: Headline | None


@dataclass(frozen=True, slots=True)
class ShortlistEntry:
    """A player linked with a club."""

    player: str
    current_club: str | None
    outlets: int
    items: int
    latest: datetime
    stage: str | None = None
    deal: str | None = None
    source: str | None = None
    tier: int | None = None
    heat: float | None = None


@dataclass(frozen=True, slots=True)
class Shortlist:
    """The players linked with a club, best first."""

    club: str
    entries: tuple[ShortlistEntry, ...]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One report in a player's rumour timeline."""

    headline: Headline
    clubs: tuple[str, ...]
    stage: str | None = None
    outlets: tuple[str, ...] = ()  # the story's outlet trail, first report first


@dataclass(frozen=True, slots=True)
class Timeline:
    """A player's rumours, newest first."""

    player: str
    entries: tuple[TimelineEntry, ...]


@dataclass(frozen=True, slots=True)
class Latest:
    """The newest matched items, about something or about anything."""

    about: str | None
    headlines: tuple[Headline, ...]


@dataclass(frozen=True, slots=True)
class Countdown:
    """A league's next window close."""

    league: str
    window: str
    closes: datetime
    confirmed: bool


@dataclass(frozen=True, slots=True)
class FeedLine:
    """A feed and its health, as one line."""

    url: str
    title: str | None
    health: str
    ok: bool


@dataclass(frozen=True, slots=True)
class Status:
    """A server's /status."""

    alert_channel_id: int | None
    channel_failure: str | None
    tier_floor: int
    lead_hours: int
    deadline_mode: bool
    last_poll: datetime | None
    next_poll: datetime | None
    queue: int
    global_feeds: int
    server_feeds: tuple[FeedLine, ...]
    failing_feeds: tuple[FeedLine, ...]


def feed_health(feed: Feed) -> FeedLine:
    """Describe a feed's state in a few words."""
    if feed.paused:
        health, ok = f"paused after {feed.failures} failures: {feed.last_error}", False
    elif feed.failures:
        health, ok = f"failing ({feed.failures} in a row): {feed.last_error}", False
    elif feed.last_success_at is None:
        health, ok = "not polled yet", True
    else:
        health, ok = "ok", True
    return FeedLine(feed.url, feed.title, health, ok)


def _headline(item: StoredItem) -> Headline:
    return Headline(" ".join(item.title.split()), safe_link(item.link), item.feed_title, item.published_at)


class Services:
    """Every command's use case, plus the background alert pipeline."""

    def __init__(self, app: App, *, calendar: Calendar, now: Callable[[], datetime], key: AlertKey = alert_key) -> None:
        self.app = app
        self.storage = app.storage
        self.catalogue = app.catalogue
        self.settings = app.settings
        self.calendar = calendar
        self.now = now
        self.key = key
        self.following = Following(app.storage, app.catalogue, limit=app.settings.follow_limit)
        self.dispatcher = Dispatcher(app.storage, self.render, now=now)
        self.poller = Poller(
            self.run_cycle,
            is_deadline=self.deadline_mode,
            on_deadline_start=app.storage.feeds.make_all_due,
            now=now,
            interval=timedelta(seconds=app.settings.poll_interval),
            deadline_interval=timedelta(seconds=app.settings.deadline_poll_interval),
        )

    # ------------------------------------------------------------------ follows

    def complete_entities(self, current: str, kind: EntityKind | None = None) -> list[Choice]:
        """Autocomplete players and clubs; an exact name first, then clubs before players ("milan")."""
        found = self.catalogue.search(current, kind=kind, limit=MAX_CHOICES)
        exact = {a.entity_id for a in self.catalogue.aliases_for(norm(current))}

        def rank(entity: Entity) -> tuple[int, int, int]:
            # Men's before women's on ties: "milan" is AC Milan, then Inter, then AC Milan Women.
            return (0 if entity.id in exact else 1, int(entity.women), 0 if entity.kind is EntityKind.CLUB else 1)

        ordered = sorted(found, key=rank)  # stable: the catalogue's own order breaks ties
        return [Choice(describe_entity(e, self.catalogue)[:100], e.id) for e in ordered]

    async def follow(self, *, guild_id: int, user_id: int, query: str) -> FollowResult:
        """Follow a player, club or term; return it with its latest news."""
        target, added = await self.following.follow(guild_id=guild_id, user_id=user_id, query=query, now=self.now())
        return FollowResult(self._label(target), added, target.entity is None,
                            await self._latest_for(target, guild_id))

    async def unfollow(self, *, guild_id: int, user_id: int, query: str) -> str:
        """Stop following; return what was unfollowed."""
        return self._label(await self.following.unfollow(guild_id=guild_id, user_id=user_id, query=query))

    async def follows(self, *, guild_id: int, user_id: int) -> list[FollowLine]:
        """The user's follows in this server, each with its latest news."""
        targets = await self.following.of_user(guild_id=guild_id, user_id=user_id)
        return [FollowLine(self._label(t), t.entity is None, await self._latest_for(t, guild_id)) for t in targets]

    async def complete_follows(self, *, guild_id: int, user_id: int, current: str) -> list[Choice]:
        """Autocomplete /unfollow from the caller's own follows in this server."""
        wanted = norm(current)
        choices = []
        for target in await self.following.of_user(guild_id=guild_id, user_id=user_id):
            label = self._label(target)
            if wanted and wanted not in norm(label):
                continue
            value = target.entity.id if target.entity is not None else (target.term or "")
            choices.append(Choice(label[:100], value[:100]))
        return choices[:MAX_CHOICES]

    async def set_dm_mode(self, *, user_id: int, mode: str) -> DmMode:
        """Set when the user gets DMs."""
        try:
            dm_mode = DmMode(mode)
        except ValueError:
            raise InvalidInput("Choose `deadline`, `always` or `off`.") from None
        await self.storage.users.set_dm_mode(user_id, dm_mode, now=self.now())
        return dm_mode

    async def user_active(self, user_id: int) -> bool:
        """The user just used a command: DMs that Discord refused before are tried again. True if cleared."""
        return await self.storage.users.clear_dm_undeliverable(user_id, now=self.now())

    def _label(self, target: FollowTarget) -> str:
        return describe_entity(target.entity, self.catalogue) if target.entity is not None else target.label

    async def _latest_for(self, target: FollowTarget, guild_id: int) -> Headline | None:
        if target.entity is not None:
            items = await self.storage.timeline.latest_about(target.entity.id, guild_id=guild_id, limit=1)
        else:
            items = await self._term_items(target.term or "", guild_id, limit=1)
        return _headline(items[0]) if items else None

    async def _term_items(self, term: str, guild_id: int, *, limit: int) -> list[StoredItem]:
        wanted = norm(term)
        recent = await self.storage.timeline.latest(guild_id=guild_id, limit=TERM_SCAN, matched_only=False)
        return [i for i in recent if term_matches(wanted, item_folded_text(i))][:limit]

    # ------------------------------------------------------------------ rumours

    def check_entity(self, query: str, kind: EntityKind) -> Entity:
        """Resolve a club or player name, or raise NotFound saying what to do (before a public defer)."""
        return self._entity(query, kind, "club" if kind is EntityKind.CLUB else "player")

    def _entity(self, query: str, kind: EntityKind, what: str) -> Entity:
        entity = self.catalogue.find(query.strip())
        if entity is not None and entity.kind is kind:
            return entity
        found = self.catalogue.resolve(query, kind)
        if not found:
            raise NotFound(f"I don't know a {what} called “{query.strip()}”. Pick one from the list as you type.")
        return found[0]

    async def shortlist(self, *, guild_id: int, query: str) -> Shortlist:
        """Players linked with a club, hottest story first (see bot.stories for the heat formula)."""
        club = self._entity(query, EntityKind.CLUB, "club")
        feeds = await self.storage.timeline.visible_feeds(guild_id)
        views = await intel.shortlist(
            self.storage, self.catalogue, club.id, self.now(), days=SHORTLIST_DAYS, feed_ids=feeds
        )
        entries = []
        for v in views:
            current = self.catalogue.club_of(v.story.player_id)
            source, tier = v.best_source()
            entries.append(
                ShortlistEntry(
                    v.player,
                    current.name if current else v.from_club,
                    v.outlets,
                    len(v.story.reports),
                    v.story.last_at,
                    stage=pretty(v.story.stage.value),
                    deal=pretty(v.story.deal.value) if v.story.deal else None,
                    source=source,
                    tier=tier,
                    heat=v.heat,
                )
            )
        return Shortlist(club.name, tuple(entries))

    async def rumours(self, *, guild_id: int, query: str, limit: int = 10) -> Timeline:
        """A player's rumours: one line per story (club, stage, outlet trail), hottest first.

        Falls back to the latest items about him when no rumour was extracted yet.
        """
        player = self._entity(query, EntityKind.PLAYER, "player")
        feeds = await self.storage.timeline.visible_feeds(guild_id)
        views = await intel.player_timeline(self.storage, self.catalogue, player.id, self.now(), feed_ids=feeds)
        if views:
            entries = [
                TimelineEntry(
                    Headline(" ".join(head.title.split()), safe_link(head.link), head.outlet, head.published),
                    (v.to_club,),
                    stage=pretty(v.story.stage.value),
                    outlets=tuple(v.story.outlets),
                )
                for v in views[:limit]
                if (head := v.story.reports[0])
            ]
            return Timeline(describe_entity(player, self.catalogue), tuple(entries))
        items = await self.storage.timeline.latest_about(player.id, guild_id=guild_id, limit=limit)
        mentioned = await self.storage.timeline.mentioned_in([i.id for i in items])
        entries = []
        for item in items:
            clubs = [self.catalogue.get(e).name for e in mentioned.get(item.id, [])
                     if e.startswith("club:") and e != player.club_id and self.catalogue.find(e) is not None]
            entries.append(TimelineEntry(_headline(item), tuple(clubs)))
        return Timeline(describe_entity(player, self.catalogue), tuple(entries))

    async def latest(self, *, guild_id: int, query: str | None, limit: int = 10) -> Latest:
        """The newest matched items, optionally about one player, club or term."""
        if not query or not query.strip():
            items = await self.storage.timeline.latest(guild_id=guild_id, limit=limit)
            return Latest(None, tuple(_headline(i) for i in items))
        target = self.following.resolve(query)
        if target.entity is not None:
            items = await self.storage.timeline.latest_about(target.entity.id, guild_id=guild_id, limit=limit)
        else:
            items = await self._term_items(target.term or "", guild_id, limit=limit)
        return Latest(self._label(target), tuple(_headline(i) for i in items))

    # ------------------------------------------------------------------ deadlines

    def deadlines(self, league: str | None = None) -> list[Countdown]:
        """The next window close of each league (or of one league)."""
        chosen = None
        if league:
            chosen = self.calendar.find_league(league)
            if chosen is None:
                known = ", ".join(self.calendar.leagues) or "none"
                raise NotFound(f"I have no transfer window for “{league}”. Leagues I know: {known}.")
        return [self._countdown(w) for w in self.calendar.upcoming(self.now(), chosen)]

    def complete_leagues(self, current: str) -> list[Choice]:
        """Autocomplete league names from the calendar."""
        wanted = norm(current)
        return [Choice(lg, lg) for lg in self.calendar.leagues if wanted in norm(lg)][:MAX_CHOICES]

    @staticmethod
    def _countdown(window: Window) -> Countdown:
        return Countdown(window.league, window.name, window.closes, window.confirmed)

    async def deadline_mode(self, now: datetime) -> bool:
        """True while any window closes within the longest lead time any server uses."""
        hours = max(self.settings.deadline_lead_hours, await self.storage.guilds.max_lead_hours() or 0)
        return self.calendar.deadline_mode(now, timedelta(hours=hours))

    # ------------------------------------------------------------------ server settings (Manage Server)

    async def set_alert_channel(self, *, guild_id: int, channel_id: int | None) -> None:
        """Send this server's alerts to a channel (None: stop channel alerts)."""
        await self.storage.guilds.set_alert_channel(guild_id, channel_id, now=self.now())

    async def set_tier_floor(self, *, guild_id: int, tier: int) -> int:
        """Hide alerts whose best source is less reliable than ``tier``."""
        if not 0 <= tier <= 5:
            raise InvalidInput("The tier goes from 0 (the club itself) to 5 (aggregators).")
        await self.storage.guilds.set_tier_floor(guild_id, tier, now=self.now())
        return tier

    async def set_lead_hours(self, *, guild_id: int, hours: int) -> int:
        """Set how long before a window closes deadline DMs start."""
        if not 1 <= hours <= 24 * 14:
            raise InvalidInput("The lead time goes from 1 to 336 hours (two weeks).")
        await self.storage.guilds.set_lead_hours(guild_id, hours, now=self.now())
        return hours

    async def add_feed(self, *, guild_id: int, user_id: int, url: str) -> FeedLine:
        """Add an extra feed for this server (through the URL guard), or resume it if it was paused."""
        own = await self.storage.feeds.all(guild_id)
        checked = await validate_feed_url(url.strip(), allow_private=self.settings.allow_private_feeds)
        if len(own) >= MAX_SERVER_FEEDS and all(f.url != checked for f in own):
            raise LimitReached(f"This server already has {MAX_SERVER_FEEDS} extra feeds; /feeds remove one first.")
        now = self.now()
        existing = await self.storage.feeds.by_url(checked)
        feed = await self.storage.feeds.add(checked, now=now, guild_id=guild_id, added_by=user_id)
        if existing is not None and existing.paused:
            await self.storage.feeds.resume(checked, now=now)
            feed = await self.storage.feeds.by_url(checked) or feed
        return feed_health(feed)

    async def remove_feed(self, *, guild_id: int, url: str) -> str:
        """Remove one of this server's extra feeds (never the operator's nor another server's)."""
        if not await self.storage.feeds.remove(url.strip(), guild_id=guild_id):
            raise NotFound(f"“{url.strip()}” is not one of this server's feeds; /feeds list shows them.")
        return url.strip()

    async def feeds(self, *, guild_id: int) -> list[FeedLine]:
        """This server's extra feeds with their health."""
        return [feed_health(f) for f in await self.storage.feeds.all(guild_id)]

    async def complete_feeds(self, *, guild_id: int, current: str) -> list[Choice]:
        """Autocomplete /feeds remove from this server's feeds."""
        return [Choice(f.url[:100], f.url) for f in await self.storage.feeds.all(guild_id)
                if current.lower() in f.url.lower() and len(f.url) <= 100][:MAX_CHOICES]

    async def status(self, *, guild_id: int) -> Status:
        """Feed health, last and next poll, deadline mode, this server's alert settings and queue."""
        settings = await self.storage.guilds.get(guild_id)
        global_feeds = await self.storage.feeds.all(GLOBAL)
        own = await self.storage.feeds.all(guild_id)
        visible = global_feeds + own
        last = max((f.last_polled_at for f in visible if f.last_polled_at), default=None)
        upcoming = min((f.next_due_at for f in visible if not f.paused), default=None)
        return Status(
            alert_channel_id=settings.alert_channel_id,
            channel_failure=settings.channel_failure,
            tier_floor=settings.tier_floor,
            lead_hours=settings.deadline_lead_hours or self.settings.deadline_lead_hours,
            deadline_mode=self.poller.deadline_mode,
            last_poll=last,
            next_poll=upcoming,
            queue=await self.storage.outbox.pending_count(guild_id),
            global_feeds=len(global_feeds),
            server_feeds=tuple(feed_health(f) for f in own),
            failing_feeds=tuple(line for line in map(feed_health, global_feeds) if not line.ok),
        )

    # ------------------------------------------------------------------ the alert pipeline

    async def run_cycle(self, now: datetime, interval: timedelta) -> TickReport:
        """One poll tick: poll due feeds, then commit the alerts they produce to the outbox.

        Storing items (ingest) and enqueueing their alerts are two transactions. A process killed
        between them would leave items that are known (so never new again) but never planned; the
        "planned through" watermark finds those on the next tick and plans them. Planning twice is
        harmless: the outbox's unique key turns a repeat into an update.
        """
        planned_through = await self._planned_through()
        result = await self.app.ingestor.poll_due(now, interval=interval)
        fresh = {a.item.id for a in result.alerts}
        recovered = [a for a in await self._unplanned(planned_through, now) if a.item.id not in fresh]
        if recovered:
            log.warning("planning %d alert(s) stored before an interrupted poll", len(recovered))
        alerts = [*recovered, *result.alerts]
        enqueued = await self.plan(alerts, now)
        if alerts:
            newest = max(a.item.id for a in alerts)
            await self.storage.meta.set(PLANNED_THROUGH, str(max(newest, planned_through)))
        deadline = self.poller.deadline_mode
        notices = await self._paused_feed_notices(result.reports)
        return TickReport(now, deadline, interval, len(result.reports), len(alerts), enqueued.added, notices)

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
        """Alertable items stored after the watermark (still young enough to alert), rebuilt for planning."""
        since = now - timedelta(hours=self.settings.max_item_age_hours)
        recovered = []
        for item in await self.storage.timeline.alertable_after(planned_through, since=since):
            feed = await self.storage.feeds.get(item.feed_id)
            if feed is None:
                continue
            # Its stories were stored with the item: key the alert by them, as the poll that stored it would have.
            stories = tuple(
                StoryUpdate(s.id, s.player_id, s.to_club_id, s.stage, s.stage, False)
                for s in await self.storage.stories.of_item(item.id)
            )
            match = self.app.matcher.match_item(item.title, item.summary)
            recovered.append(IngestedItem(item, match, feed, stories=stories))
        return recovered

    async def plan(self, alerts: Sequence[IngestedItem], now: datetime) -> EnqueueResult:
        """Route new items to the servers and users that follow what they mention; enqueue the deliveries."""
        planned = []
        for ingested in alerts:
            hits = await concerned_follows(self.storage, ingested.item, ingested.feed)
            if hits:
                planned.append(Planned(ingested, hits, item_tier(ingested, self._feed_tier(ingested.feed))))
        if not planned:
            return EnqueueResult()
        guild_ids = {g for p in planned for g in p.hits}
        user_ids = {h.user_id for p in planned for hits in p.hits.values() for h in hits}
        ctx = PlanContext(
            guilds=await self.storage.guilds.many(guild_ids),
            users=await self.storage.users.many(user_ids),
            calendar=self.calendar,
            catalogue=self.catalogue,
            now=now,
            default_lead=timedelta(hours=self.settings.deadline_lead_hours),
        )
        if self.key is not alert_key:
            return await self.storage.outbox.enqueue(plan_deliveries(planned, ctx, key=self.key), now=now)
        # One alert per story: reports of a story an alert already carries edit that alert.
        story_keys = [u.key for p in planned for u in p.ingested.stories]
        keyer = StoryAlertKeys(await self.storage.outbox.alerts_for_stories(story_keys))
        deliveries = plan_deliveries(planned, ctx, key=keyer)
        return await self.storage.outbox.enqueue(deliveries, now=now, stories=keyer.carried)

    def _feed_tier(self, feed: Feed) -> int | None:
        source = self.app.sources.for_feed(feed.url, feed.title)
        return source.tier if source is not None and source.known else None

    async def render(self, row: OutboxRow) -> AlertView | None:
        """The alert a row delivers: its story's head report and trail, or its (newest) item; None if gone."""
        story_key = _STORY_KEY.match(row.alert_key)
        if story_key is not None:
            view = await self._render_story(int(story_key.group(1)), row.item_id)
            if view is not None:
                return view
        item = await self.storage.items.get(row.item_id)
        if item is None:
            return None
        entity_ids = list(dict.fromkeys(e for e, _ in await self.storage.items.mentions(item.id)))
        # Items that carry a rumour are delivered under their story's key (above); an item key means
        # the item reported no rumour, so its lines are the clubs it mentions.
        return build_alert_view(item, entity_ids, self.catalogue)

    async def _render_story(self, story_id: int, fallback_item_id: int) -> AlertView | None:
        story = await self.storage.stories.get(story_id)
        if story is None:
            return None
        head = await self.storage.items.get(story.head_item_id) or await self.storage.items.get(fallback_item_id)
        if head is None:
            return None
        entity_ids = list(dict.fromkeys(e for e, _ in await self.storage.items.mentions(head.id)))
        head_stories = await self.storage.stories.of_item(head.id)
        return build_story_view(head, entity_ids, story, head_stories, self.catalogue, self.now())



def build_services(app: App, *, now: Callable[[], datetime]) -> Services:
    """Build the facade: the window calendar from seeds, the following rules, the pipeline."""
    return Services(app, calendar=load_windows(app.settings.seeds_dir / "windows.toml"), now=now)
