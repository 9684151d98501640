"""The facade the Discord cogs call: one method per command, plain dataclasses out, no Discord.

The alert pipeline the bot runs in the background is :class:`bot.alerts.pipeline.AlertPipeline`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import intel
from bot.alerts.filters import describe_filter
from bot.alerts.pipeline import AlertPipeline
from bot.alerts.view import pretty, safe_link
from bot.alerts.why import Explainer, Why
from bot.app import App
from bot.catalogue import norm
from bot.charts import ChartDesk, ChartRequest
from bot.charts.stories import club_chart, player_chart
from bot.deadlines import Calendar, Window, load_windows
from bot.describe import describe_entity
from bot.errors import InvalidInput, NotFound
from bot.feedlist import FeedLine, FeedList, feed_health
from bot.following import Following, FollowTarget
from bot.models import ChannelKind, DmMode, Entity, EntityKind, FollowFilter, StoredItem
from bot.pings import PingLine, Pings, parse_stage, parse_tier
from bot.privacy import Privacy
from bot.retention import Retention
from bot.storage import GLOBAL

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord's limit for autocomplete
SHORTLIST_DAYS = 30


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
    dm_filter: str = ""  # the follow's filter as set by this command ("from talks, tier ≤ 2"); "" for none or unchanged


@dataclass(frozen=True, slots=True)
class FollowLine:
    """One of the user's follows with its latest news."""

    label: str
    is_term: bool
    latest: Headline | None
    dm_filter: str = ""  # the follow's filter ("from talks, tier ≤ 2"), "" for none


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
    chart: bytes | None = None  # PNG: each player's heat over the last 14 days (issue 12)


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
    moves: tuple[str, ...] = ()  # completed moves the catalogue learnt: "Tottenham → AC Milan (2026-12-02, …)"
    chart: bytes | None = None  # PNG: each club's heat over the last 14 days (issue 12)


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
    alert_channel_forum: bool = False  # the alert channel is a forum: a post per story (bot.alerts.forum)


def _headline(item: StoredItem) -> Headline:
    return Headline(" ".join(item.title.split()), safe_link(item.link), item.feed_title, item.published_at)


class Services:
    """Every command's use case."""

    def __init__(
        self, app: App, *, calendar: Calendar, now: Callable[[], datetime], pipeline: AlertPipeline
    ) -> None:
        self.app = app
        self.pipeline = pipeline
        self.storage = app.storage
        self.catalogue = app.catalogue
        self.settings = app.settings
        self.calendar = calendar
        self.now = now
        self.following = Following(app.storage, app.catalogue, limit=app.settings.follow_limit)
        # Issue 12: role pings with filters, and the "Why?" button (bot/pings.py, bot/alerts/why.py).
        self.pings = Pings(app.storage, app.catalogue)
        self.explainer = Explainer(app.storage, app.catalogue, self.pings)
        self.feed_list = FeedList(app.storage, allow_private=app.settings.allow_private_feeds)
        # Operations (issue 11): /privacy and leaving servers, retention. Their use cases live in their modules.
        self.privacy = Privacy(app.storage, app.catalogue, now=now, grace=timedelta(days=app.settings.guild_grace_days))
        self.retention = Retention(app.storage, now=now, days=app.settings.retention_days, metrics=app.metrics)
        self.charts = ChartDesk()  # heat charts: drawn in a worker thread, cached until a story changes
        self.digests = pipeline.digests  # /digest, /alerts timezone and min_stage: bot/digests (issue 12)

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

    async def follow(
        self,
        *,
        guild_id: int,
        user_id: int,
        query: str,
        min_stage: str | None = None,
        max_tier: int | None = None,
        set_filter: bool = False,
    ) -> FollowResult:
        """Follow a player, club or term; return it with its latest news.

        ``set_filter`` (what /follow does) sets the follow's filter to ``min_stage``/``max_tier``, none
        meaning no filter; without it (the Follow button) an existing follow keeps its filter.
        """
        dm_filter = FollowFilter(parse_stage(min_stage), parse_tier(max_tier)) if set_filter else None
        target, added = await self.following.follow(
            guild_id=guild_id, user_id=user_id, query=query, now=self.now(), dm_filter=dm_filter
        )
        return FollowResult(self._label(target), added, target.entity is None,
                            await self._latest_for(target, guild_id),
                            dm_filter=describe_filter(dm_filter.min_stage, dm_filter.max_tier) if dm_filter else "")

    async def unfollow(self, *, guild_id: int, user_id: int, query: str) -> str:
        """Stop following; return what was unfollowed."""
        return self._label(await self.following.unfollow(guild_id=guild_id, user_id=user_id, query=query))

    async def follows(self, *, guild_id: int, user_id: int) -> list[FollowLine]:
        """The user's follows in this server, each with its latest news."""
        targets = await self.following.of_user(guild_id=guild_id, user_id=user_id)
        news = await self.following.latest_news(targets, guild_id=guild_id)
        return [FollowLine(self._label(t), t.entity is None, _headline(item) if item else None,
                           describe_filter(t.dm_filter.min_stage, t.dm_filter.max_tier))
                for t, item in zip(targets, news, strict=True)]

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
        item = (await self.following.latest_news([target], guild_id=guild_id))[0]
        return _headline(item) if item else None

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
        chart = await self._chart(club_chart(club.name, views, await intel.as_of(self.storage, self.now())))
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
        return Shortlist(club.name, tuple(entries), chart)

    async def rumours(self, *, guild_id: int, query: str, limit: int = 10) -> Timeline:
        """A player's rumours: one line per story (club, stage, outlet trail), hottest first.

        Falls back to the latest items about him when no rumour was extracted yet.
        """
        player = self._entity(query, EntityKind.PLAYER, "player")
        moves = await self._completed_moves(player.id)
        feeds = await self.storage.timeline.visible_feeds(guild_id)
        views = await intel.player_timeline(self.storage, self.catalogue, player.id, self.now(), limit=limit,
                                            feed_ids=feeds)
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
            chart = await self._chart(player_chart(player.name, views, await intel.as_of(self.storage, self.now())))
            return Timeline(describe_entity(player, self.catalogue), tuple(entries), moves, chart)
        items = await self.storage.timeline.latest_about(player.id, guild_id=guild_id, limit=limit)
        mentioned = await self.storage.timeline.mentioned_in([i.id for i in items])
        entries = []
        for item in items:
            clubs = [self.catalogue.get(e).name for e in mentioned.get(item.id, [])
                     if e.startswith("club:") and e != player.club_id and self.catalogue.find(e) is not None]
            entries.append(TimelineEntry(_headline(item), tuple(clubs)))
        return Timeline(describe_entity(player, self.catalogue), tuple(entries), moves)

    async def _completed_moves(self, player_id: str) -> tuple[str, ...]:
        """The club changes the catalogue applied for a player (learnt from the news or by an operator)."""
        lines = []
        for move in await self.storage.moves.history(player_id):
            if move.status != "applied":
                continue
            before = self.catalogue.find(move.prev_club_id) if move.prev_club_id else None
            after = self.catalogue.find(move.to_club_id) if move.to_club_id else None
            how = ", ".join(move.outlets) if move.outlets else move.origin
            loan = " (loan)" if move.loan_from else ""
            lines.append(f"{before.name if before else '?'} → {after.name if after else 'a club outside the catalogue'}"
                         f"{loan} ({move.effective}, {how})")
        return tuple(lines)

    async def _chart(self, request: ChartRequest) -> bytes | None:
        """The heat chart's PNG (None without stories); a drawing that fails costs the chart, never the answer."""
        try:
            return await self.charts.heat_png(request)
        except Exception:
            log.exception("heat chart %r failed", request.title)
            return None

    async def latest(self, *, guild_id: int, query: str | None, limit: int = 10) -> Latest:
        """The newest matched items, optionally about one player, club or term."""
        if not query or not query.strip():
            items = await self.storage.timeline.latest(guild_id=guild_id, limit=limit)
            return Latest(None, tuple(_headline(i) for i in items))
        target = self.following.resolve(query)
        if target.entity is not None:
            items = await self.storage.timeline.latest_about(target.entity.id, guild_id=guild_id, limit=limit)
        else:
            term = target.term or ""
            items = (await self.following.term_news([term], guild_id=guild_id, limit=limit))[term]
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

    # ------------------------------------------------------------------ server settings (Manage Server)

    async def set_alert_channel(self, *, guild_id: int, channel_id: int | None, forum: bool = False) -> None:
        """Send this server's alerts to a channel (None: stop channel alerts); a forum gets a post per story."""
        kind = ChannelKind.FORUM if forum and channel_id is not None else ChannelKind.TEXT
        await self.storage.guilds.set_alert_channel(guild_id, channel_id, now=self.now(), kind=kind)

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

    async def add_ping(
        self,
        *,
        guild_id: int,
        role_id: int,
        club: str | None = None,
        player: str | None = None,
        min_stage: str | None = None,
        max_tier: int | None = None,
    ) -> tuple[PingLine, bool]:
        """Ping a role on channel alerts that pass a filter; return the rule and whether it is new."""
        return await self.pings.add(guild_id=guild_id, role_id=role_id, now=self.now(), club=club, player=player,
                                    min_stage=min_stage, max_tier=max_tier)

    async def ping_lines(self, *, guild_id: int) -> list[PingLine]:
        """This server's role pings."""
        return await self.pings.lines(guild_id)

    async def remove_ping(self, *, guild_id: int, value: str) -> PingLine:
        """Remove one of this server's role pings."""
        return await self.pings.remove(guild_id=guild_id, value=value)

    async def complete_pings(self, *, guild_id: int, current: str, role_names: dict[int, str]) -> list[Choice]:
        """Autocomplete /alerts unping from this server's role pings."""
        found = await self.pings.complete(guild_id=guild_id, current=current, role_names=role_names)
        return [Choice(label, value) for label, value in found]

    async def why(self, *, row_id: int, user_id: int, guild_id: int | None) -> Why:
        """Why an alert (an outbox row) reached its channel or fan: the "Why?" button."""
        return await self.explainer.explain(row_id, user_id=user_id, guild_id=guild_id)

    async def add_feed(self, *, guild_id: int, user_id: int, url: str) -> FeedLine:
        """Add an extra feed for this server (through the URL guard), or resume it if it was paused."""
        return await self.feed_list.add(url, guild_id=guild_id, added_by=user_id, now=self.now())

    async def remove_feed(self, *, guild_id: int, url: str) -> str:
        """Remove one of this server's extra feeds (never the operator's nor another server's)."""
        return await self.feed_list.remove(url, guild_id=guild_id)

    async def feeds(self, *, guild_id: int) -> list[FeedLine]:
        """This server's extra feeds with their health."""
        return await self.feed_list.lines(guild_id)

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
            deadline_mode=self.pipeline.poller.deadline_mode,
            last_poll=last,
            next_poll=upcoming,
            queue=await self.storage.outbox.pending_count(guild_id),
            global_feeds=len(global_feeds),
            server_feeds=tuple(feed_health(f) for f in own),
            failing_feeds=tuple(line for line in map(feed_health, global_feeds) if not line.ok),
            alert_channel_forum=settings.alert_channel_kind is ChannelKind.FORUM,
        )


def build_services(app: App, *, now: Callable[[], datetime]) -> tuple[Services, AlertPipeline]:
    """Build the command facade and the alert pipeline over one window calendar from seeds."""
    calendar = load_windows(app.settings.seeds_dir / "windows.toml")
    pipeline = AlertPipeline(app, calendar=calendar, now=now)
    return Services(app, calendar=calendar, now=now, pipeline=pipeline), pipeline
