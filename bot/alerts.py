"""Alert planning and alert content. Pure: data in, data out, ``now`` passed in.

* :func:`plan_deliveries` turns one poll's new items, and the follows each concerns, into outbox
  deliveries: one per server alert channel (tier floor permitting) and one per follower whose
  ``/dm`` mode wants it now (``deadline`` mode: only while a relevant window closes soon).
* :func:`build_alert_view` turns a stored item into an :class:`AlertView`, what every channel post
  and DM shows; the Discord side only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.catalogue import Catalogue
from bot.deadlines import Calendar, relevant_leagues
from bot.describe import display_summary
from bot.following import describe_entity
from bot.ingest import IngestedItem
from bot.models import EntityKind, FollowHit, StoredItem
from bot.rumours import Rumour
from bot.storage.guilds import DmMode, GuildSettings, UserSettings
from bot.storage.outbox import Delivery, TargetKind
from bot.storage.stories import Story
from bot.stories import best_report, heat, primary

SUMMARY_CHARS = 280
MAX_LINES = 5

AlertKey = Callable[[IngestedItem], str]


def alert_key(ingested: IngestedItem) -> str:
    """The identity of an alert for an item on its own: its primary story at its stage, else the item."""
    head = primary(ingested.stories)
    return head.key if head is not None else f"item:{ingested.item.id}"


class StoryAlertKeys:
    """Alert keys that make one alert per story, called once per item in poll order.

    An item whose stories (at their current stage) an alert already carries gets that alert's key:
    delivering it again edits the message ("also reported by …"). Otherwise the key is its primary
    story at its stage, so a stage climb (talks → agreement) is a new key and a new alert. ``known``
    starts from what the outbox remembers and grows as this poll's items are keyed.
    """

    def __init__(self, known: Mapping[str, str]) -> None:
        self.known = dict(known)
        self.carried: dict[str, list[str]] = {}  # alert key -> story keys it now carries

    def __call__(self, ingested: IngestedItem) -> str:
        """Key one item and remember the stories its alert carries."""
        head = primary(ingested.stories)
        if head is None:
            return f"item:{ingested.item.id}"
        ordered = [head, *(u for u in ingested.stories if u is not head)]
        key = next((self.known[u.key] for u in ordered if u.key in self.known), head.key)
        for update in ingested.stories:
            if update.key not in self.known:
                self.known[update.key] = key
                self.carried.setdefault(key, []).append(update.key)
        return key


def item_tier(ingested: IngestedItem, feed_tier: int | None = None) -> int | None:
    """The item's best (lowest) source tier: a known cited source, else the feed's outlet; None if unknown."""
    tiers = [r.source.tier for r in ingested.rumours if r.source is not None and r.source.known]
    if feed_tier is not None:
        tiers.append(feed_tier)
    return min(tiers, default=None)


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What planning needs besides the items: settings of the servers and users concerned, the calendar."""

    guilds: Mapping[int, GuildSettings]
    users: Mapping[int, UserSettings]
    calendar: Calendar
    catalogue: Catalogue
    now: datetime
    default_lead: timedelta


@dataclass(frozen=True, slots=True)
class Planned:
    """One new item, the follows it concerns by server, and its best source tier."""

    ingested: IngestedItem
    hits: Mapping[int, Sequence[FollowHit]]
    tier: int | None = None


def plan_deliveries(planned: Sequence[Planned], ctx: PlanContext, *, key: AlertKey = alert_key) -> list[Delivery]:
    """Decide every delivery for one poll's items; each (alert key, target) appears at most once."""
    out: dict[tuple[str, TargetKind, int], Delivery] = {}
    for entry in planned:
        akey = key(entry.ingested)
        item_id = entry.ingested.item.id
        for guild_id, hits in sorted(entry.hits.items()):
            settings = ctx.guilds.get(guild_id, GuildSettings(guild_id))
            if settings.delivering and (entry.tier is None or entry.tier <= settings.tier_floor):
                out.setdefault((akey, TargetKind.CHANNEL, guild_id),
                               Delivery(akey, TargetKind.CHANNEL, guild_id, guild_id, item_id))
            for hit in hits:
                if wants_dm(hit, entry.ingested, settings, ctx):
                    out.setdefault((akey, TargetKind.DM, hit.user_id),
                                   Delivery(akey, TargetKind.DM, hit.user_id, guild_id, item_id))
    return list(out.values())


def wants_dm(hit: FollowHit, ingested: IngestedItem, guild: GuildSettings, ctx: PlanContext) -> bool:
    """Whether a follower gets this item by DM now, by their /dm mode and the windows closing soon."""
    user = ctx.users.get(hit.user_id, UserSettings(hit.user_id))
    if user.dm_undeliverable or user.dm_mode is DmMode.OFF:
        return False
    if user.dm_mode is DmMode.ALWAYS:
        return True
    lead = timedelta(hours=guild.deadline_lead_hours) if guild.deadline_lead_hours else ctx.default_lead
    leagues = deadline_leagues(hit, ingested, ctx.catalogue)
    return bool(leagues) and bool(ctx.calendar.closing_within(ctx.now, lead, leagues))


def deadline_leagues(hit: FollowHit, ingested: IngestedItem, catalogue: Catalogue) -> set[str]:
    """Leagues whose deadline matters for this follow and item.

    A club: its league. A player: his club's league and the leagues of the clubs the item links him
    with. A term: the leagues of everything the item mentions.
    """
    mentioned = ingested.match.entity_ids()
    clubs = [e for e in mentioned if e.startswith(f"{EntityKind.CLUB.value}:")]
    if hit.entity_id is None:
        return relevant_leagues(mentioned, catalogue)
    entity = catalogue.find(hit.entity_id)
    if entity is None:
        return set()
    if entity.kind is EntityKind.CLUB:
        return relevant_leagues([entity.id], catalogue)
    linked = [r.to_club_id for r in ingested.rumours if r.player_id == entity.id] or clubs
    return relevant_leagues([entity.id, *linked], catalogue)


# --------------------------------------------------------------------------- content


@dataclass(frozen=True, slots=True)
class AlertView:
    """What an alert shows, ready for the Discord side to lay out (all text still unescaped).

    ``stage``, ``deal``, ``fee``, ``source``, ``tier`` and ``outlets`` are filled once items are
    grouped into stories; until then they stay empty.
    """

    title: str
    link: str | None
    outlet: str | None
    summary: str
    published: datetime
    lines: tuple[str, ...]  # "Radu Drăgușin (Tottenham) → AC Milan, AS Roma"
    entities: tuple[str, ...]  # names of every player and club matched
    follow_entity_id: str | None = None
    follow_label: str | None = None
    stage: str | None = None
    deal: str | None = None
    fee: str | None = None
    source: str | None = None
    tier: int | None = None
    outlets: tuple[str, ...] = ()  # the other outlets that reported the story ("also reported by")
    outlet_count: int | None = None  # distinct outlets behind the story, the head's included
    heat: float | None = None


def safe_link(link: str | None) -> str | None:
    """Keep only http(s) links: Discord refuses others, and a feed must not smuggle in odd schemes."""
    if link and link.lower().startswith(("https://", "http://")) and len(link) <= 2000:
        return link
    return None


def build_alert_view(
    item: StoredItem, entity_ids: Sequence[str], catalogue: Catalogue, rumours: Sequence[Rumour] = ()
) -> AlertView:
    """Describe an item as an alert: who, linked with which clubs, from which outlet, when."""
    entities = [e for e in (catalogue.find(i) for i in entity_ids) if e is not None]
    players = [e for e in entities if e.kind is EntityKind.PLAYER]
    clubs = [e for e in entities if e.kind is EntityKind.CLUB]
    lines = []
    for player in players[:MAX_LINES]:
        linked = [r.to_club_id for r in rumours if r.player_id == player.id]
        if not linked:
            linked = [c.id for c in clubs if c.id != player.club_id]
        names = [catalogue.get(c).name for c in dict.fromkeys(linked) if catalogue.find(c) is not None]
        lines.append(f"{describe_entity(player, catalogue)} → {', '.join(names)}" if names else
                     describe_entity(player, catalogue))
    target = players[0] if players else (clubs[0] if clubs else None)
    return AlertView(
        title=" ".join(item.title.split()) or "(untitled)",
        link=safe_link(item.link),
        outlet=item.feed_title,
        summary=display_summary(item.summary, SUMMARY_CHARS),
        published=item.published_at,
        lines=tuple(lines),
        entities=tuple(e.name for e in entities),
        follow_entity_id=target.id if target else None,
        follow_label=target.name if target else None,
    )


def pretty(value: str) -> str:
    """``advanced_talks`` -> ``advanced talks``, ``loan_option`` -> ``loan with option to buy``."""
    return {"loan_option": "loan with option to buy", "loan_obligation": "loan with obligation to buy"}.get(
        value, value.replace("_", " ")
    )


def build_story_view(
    head: StoredItem,
    entity_ids: Sequence[str],
    story: Story,
    head_stories: Sequence[Story],
    catalogue: Catalogue,
    now: datetime,
) -> AlertView:
    """Describe a story's alert: the head report's text, every rumour it carries, the trail behind ``story``.

    Re-rendered on every further report, so the outlets, stage and heat shown are always current.
    """
    base = build_alert_view(head, entity_ids, catalogue)
    lines = []
    for s in sorted(head_stories, key=lambda s: (s.id != story.id, s.id))[:MAX_LINES]:
        player = catalogue.find(s.player_id)
        club = catalogue.find(s.to_club_id)
        if player is None or club is None:
            continue
        outlets = len(s.outlets)
        lines.append(f"{describe_entity(player, catalogue)} → {club.name} · {pretty(s.stage.value)} · "
                     f"{outlets} outlet{'s' if outlets != 1 else ''}")
    best = best_report(story.reports)
    source = (best.cited or best.outlet) if best is not None else None
    head_outlet = next((r.outlet for r in story.reports if r.item_id == head.id), None)
    return replace(
        base,
        lines=tuple(lines) or base.lines,
        stage=pretty(story.stage.value),
        deal=pretty(story.deal.value) if story.deal else None,
        fee=story.fee,
        source=source,
        tier=best.tier if best is not None else None,
        outlets=tuple(o for o in story.outlets if o != head_outlet),
        outlet_count=len(story.outlets),
        heat=heat(story.reports, story.stage, now),
    )
