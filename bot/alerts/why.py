"""The "Why?" button on every alert (issue 12): why this alert reached this channel or this fan.

It answers from what is stored, for the outbox row the button names:

* **routing**, recomputed now with the same query that routed the alert (bot.alerts.routing): for a
  channel, the server's alert channel and tier floor, *how many* members' follows it concerns (never
  who) and which of the asking member's own follows; for a DM, the fan's follows and /dm mode; the
  role pings its message carried. Recomputing keeps no per-user routing record on the row (nothing
  more for /privacy to forget), at the price of saying "now": a follow removed since is not listed;
* **the rumour**: the story at the alert's stage and each report that made it, with the wordings and
  the spans of text the language layer read, as stored with the report when the item was read
  (never re-read: today's wordings or catalogue could read it differently);
* **the source**: the report the alert rests on, its outlet, cited source and tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.alerts.filters import describe_filter
from bot.alerts.routing import by_server, concerned_follows
from bot.alerts.view import pretty
from bot.catalogue import Catalogue
from bot.describe import describe_entity
from bot.errors import NotFound
from bot.models import Evidence, FollowHit, OutboxRow, Report, Stage, Story, TargetKind
from bot.pings import PingLine, Pings
from bot.storage import Storage
from bot.stories import best_report

MAX_REPORTS = 5  # an ephemeral answer stays short: the reports that made this alert, first ones first
GONE = "Mercato no longer keeps the record of this alert (old alerts are forgotten), so it can't say why."
NOT_YOURS = "This button explains an alert of another server or another person."


@dataclass(frozen=True, slots=True)
class ReportWhy:
    """One report behind the alert: who published it, on whose word, and what the reader found in it."""

    outlet: str
    cited: str | None
    tier: int | None
    known_source: bool
    stage: str
    title: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Why:
    """Why an alert reached its target."""

    target: TargetKind
    alert_channel_id: int | None = None  # a channel alert: the server's alert channel
    tier_floor: int | None = None
    followers: int = 0  # a channel alert: members of the server whose follows it concerns (a count)
    yours: tuple[str, ...] = ()  # the asking fan's own follows it concerns, with their filters
    dm_mode: str | None = None  # a DM: the fan's /dm mode
    pings: tuple[PingLine, ...] = ()  # the role pings the message carried
    story: str | None = None  # "Radu Drăgușin → AC Milan · talks"
    reports: tuple[ReportWhy, ...] = ()
    more_reports: int = 0
    mentions: tuple[str, ...] = ()  # an alert with no rumour: the players and clubs it mentions
    source: str | None = None
    tier: int | None = None


class Explainer:
    """Builds the "Why?" answer for an outbox row, for the member or fan who asks."""

    def __init__(self, storage: Storage, catalogue: Catalogue, pings: Pings) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.pings = pings

    async def explain(self, row_id: int, *, user_id: int, guild_id: int | None) -> Why:
        """Why row ``row_id`` was delivered; only its server's members (or its DM's fan) may ask."""
        row = await self.storage.outbox.get(row_id)
        if row is None:
            raise NotFound(GONE)
        mine = row.target_id == user_id if row.target_kind is TargetKind.DM else row.guild_id == guild_id
        if not mine:
            raise NotFound(NOT_YOURS)
        item = await self.storage.items.get(row.item_id)
        feed = await self.storage.feeds.get(item.feed_id) if item is not None else None
        if item is None or feed is None:
            raise NotFound(GONE)
        hits = by_server(await concerned_follows(self.storage, item, feed))
        why = await self._routing(row, hits, user_id)
        story = await self.storage.stories.get(row.alert_key.story_id) if row.alert_key.story_id else None
        if story is None:
            names = [e.name for e in (self.catalogue.find(i) for i, _ in await self.storage.items.mentions(item.id))
                     if e is not None]
            return replace(why, mentions=tuple(dict.fromkeys(names)), source=item.feed_title)
        return await self._rumour(why, row, story)

    async def _routing(self, row: OutboxRow, hits: dict[int, list[FollowHit]], user_id: int) -> Why:
        if row.target_kind is TargetKind.DM:
            own = [h for guild_hits in hits.values() for h in guild_hits if h.user_id == row.target_id]
            user = await self.storage.users.get(row.target_id)
            return Why(TargetKind.DM, yours=self._labels(own), dm_mode=user.dm_mode.value)
        here = hits.get(row.guild_id, [])
        settings = await self.storage.guilds.get(row.guild_id)
        pinged = tuple(line for line in await self.pings.lines(row.guild_id) if line.role_id in row.ping_roles)
        return Why(
            TargetKind.CHANNEL,
            alert_channel_id=settings.alert_channel_id,
            tier_floor=settings.tier_floor,
            followers=len({h.user_id for h in here}),
            yours=self._labels([h for h in here if h.user_id == user_id]),
            pings=pinged,
        )

    async def _rumour(self, why: Why, row: OutboxRow, story: Story) -> Why:
        stage = row.alert_key.stage or story.stage
        made = reports_of_alert(story.reports, stage) or [r for r in story.reports if r.item_id == row.item_id]
        shown = made[:MAX_REPORTS]
        evidence = await self.storage.pings.evidence(story.id, [r.item_id for r in shown])
        best = best_report(made)
        player, club = self.catalogue.find(story.player_id), self.catalogue.find(story.to_club_id)
        names = f"{player.name if player else story.player_id} → {club.name if club else story.to_club_id}"
        return replace(
            why,
            story=f"{names} · {pretty(stage.value)}",
            reports=tuple(_report(r, evidence.get(r.item_id, ())) for r in shown),
            more_reports=len(made) - len(shown),
            source=(best.cited or best.outlet) if best is not None else None,
            tier=best.tier if best is not None else None,
        )

    def _labels(self, hits: list[FollowHit]) -> tuple[str, ...]:
        labels = []
        for hit in hits:
            entity = self.catalogue.find(hit.entity_id) if hit.entity_id else None
            label = describe_entity(entity, self.catalogue) if entity is not None else f"“{hit.term}”"
            only = describe_filter(hit.min_stage, hit.max_tier)
            labels.append(f"{label} · DMs {only}" if only else label)
        return tuple(dict.fromkeys(labels))


def reports_of_alert(reports: Sequence[Report], stage: Stage) -> list[Report]:
    """The reports a story's alert at ``stage`` carries: from the one that took the story there up to
    (not including) the one that took it further, which started the next alert."""
    start = next((i for i, r in enumerate(reports) if r.stage.rank >= stage.rank), len(reports))
    end = next((i for i, r in enumerate(reports) if i > start and r.stage.rank > stage.rank), len(reports))
    return list(reports[start:end])


def _report(report: Report, evidence: tuple[Evidence, ...]) -> ReportWhy:
    return ReportWhy(report.outlet, report.cited, report.tier, report.known_source, pretty(report.stage.value),
                     " ".join(report.title.split()), evidence)
