"""Alert planning. Pure: data in, data out, ``now`` passed in.

:func:`plan_deliveries` turns one poll's new items, and the follows each concerns, into outbox
deliveries: one per server alert channel (tier floor permitting) and one per follower whose ``/dm``
mode wants it now (``deadline`` mode: only while a relevant window closes soon) and whose follow's
filter lets it through. :class:`StoryAlertKeys` gives each item its typed :class:`~bot.models.AlertKey`:
one alert per story and stage.

Role pings (issue 12) are decided here too, with the channel delivery: the roles whose rules the item
passes (:mod:`bot.alerts.filters`) are stored on the outbox row, so the row itself says whom its first
message mentions. A server whose only interest is a ping rule (nobody follows the club) gets the alert
when a rule fires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.alerts.filters import follow_passes, ping_roles
from bot.catalogue import Catalogue
from bot.deadlines import Calendar, relevant_leagues
from bot.models import (
    AlertKey,
    Delivery,
    DmMode,
    EntityKind,
    FollowHit,
    GuildSettings,
    IngestedItem,
    PingRule,
    TargetKind,
    UserSettings,
)
from bot.stories import primary

Keyer = Callable[[IngestedItem], AlertKey]


def alert_key(ingested: IngestedItem) -> AlertKey:
    """The identity of an alert for an item on its own: its primary story at its stage, else the item."""
    head = primary(ingested.stories)
    return head.key if head is not None else AlertKey.for_item(ingested.item.id)


class StoryAlertKeys:
    """Alert keys that make one alert per story, called once per item in poll order.

    An item whose stories (at their current stage) an alert already carries gets that alert's key:
    delivering it again edits the message ("also reported by …"). Otherwise the key is its primary
    story at its stage, so a stage climb (talks → agreement) is a new key and a new alert. ``known``
    starts from what the outbox remembers and grows as this poll's items are keyed.
    """

    def __init__(self, known: Mapping[AlertKey, AlertKey]) -> None:
        self.known = dict(known)
        self.carried: dict[AlertKey, list[AlertKey]] = {}  # alert key -> story keys it now carries

    def __call__(self, ingested: IngestedItem) -> AlertKey:
        """Key one item and remember the stories its alert carries."""
        head = primary(ingested.stories)
        if head is None:
            return AlertKey.for_item(ingested.item.id)
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
    pings: Mapping[int, Sequence[PingRule]] = field(default_factory=dict)  # each server's role-ping rules


@dataclass(frozen=True, slots=True)
class Planned:
    """One new item, the follows it concerns by server, and its best source tier.

    A server with an empty list of follows is there for its ping rules only: it gets the channel alert
    only if one of them fires.
    """

    ingested: IngestedItem
    hits: Mapping[int, Sequence[FollowHit]]
    tier: int | None = None


def plan_deliveries(planned: Sequence[Planned], ctx: PlanContext, *, key: Keyer = alert_key) -> list[Delivery]:
    """Decide every delivery for one poll's items; each (alert key, target) appears at most once."""
    out: dict[tuple[AlertKey, TargetKind, int], Delivery] = {}
    for entry in planned:
        akey = key(entry.ingested)
        item_id = entry.ingested.item.id
        for guild_id, hits in sorted(entry.hits.items()):
            settings = ctx.guilds.get(guild_id, GuildSettings(guild_id))
            channel = channel_delivery(entry, akey, settings, ctx, followed=bool(hits))
            if channel is not None:
                slot = (akey, TargetKind.CHANNEL, guild_id)
                earlier = out.get(slot)
                # Two items of one alert in one poll: the first is shown; its message pings for either.
                out[slot] = channel if earlier is None else replace(
                    earlier, ping_roles=tuple(sorted({*earlier.ping_roles, *channel.ping_roles})))
            for hit in hits:
                if follow_passes(hit, entry.ingested, entry.tier) and wants_dm(hit, entry.ingested, settings, ctx):
                    out.setdefault((akey, TargetKind.DM, hit.user_id),
                                   Delivery(akey, TargetKind.DM, hit.user_id, guild_id, item_id))
    return list(out.values())


def channel_delivery(
    entry: Planned, akey: AlertKey, settings: GuildSettings, ctx: PlanContext, *, followed: bool
) -> Delivery | None:
    """A server's channel alert for an item, with the roles it pings; None if the server gets none.

    The server's settings decide: a working alert channel and the tier floor. Members' follow filters
    play no part (they govern DMs); a server nobody follows the item in gets it only for a firing ping.
    """
    if not settings.delivering or (entry.tier is not None and entry.tier > settings.tier_floor):
        return None
    if not reaches_min_stage(entry.ingested, settings):
        return None  # below the server's /alerts min_stage: the digest only
    roles = ping_roles(ctx.pings.get(settings.guild_id, ()), entry.ingested, entry.tier)
    if not followed and not roles:
        return None
    guild_id = settings.guild_id
    return Delivery(akey, TargetKind.CHANNEL, guild_id, guild_id, entry.ingested.item.id, ping_roles=roles)


def reaches_min_stage(ingested: IngestedItem, settings: GuildSettings) -> bool:
    """Whether the alert reaches the server's ``/alerts min_stage``: its story got that far (a denial or a collapse
    always does); an item with no rumour has no stage. Alerts below it reach only the digest (issue 12)."""
    if settings.min_stage is None:
        return True
    head = primary(ingested.stories)
    return head is not None and head.stage.rank >= settings.min_stage.rank


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
