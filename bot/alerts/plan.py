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
    Followers,
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

    guilds: Mapping[int, GuildSettings]  # absent: the defaults
    users: Mapping[int, UserSettings]  # only users who changed a setting; absent: the defaults
    calendar: Calendar
    catalogue: Catalogue
    now: datetime
    default_lead: timedelta
    pings: Mapping[int, Sequence[PingRule]] = field(default_factory=dict)  # each server's role-ping rules


@dataclass(frozen=True, slots=True)
class Planned:
    """One new item, the followers it concerns (:func:`bot.alerts.routing.concerned_follows`), its best source
    tier, and the servers with a ping rule about what it mentions (:func:`bot.alerts.routing.concerned_pings`).

    A server with no follower among ``hits`` is there for its ping rules only: it gets the channel alert
    only if one of them fires.
    """

    ingested: IngestedItem
    hits: Sequence[Followers]
    tier: int | None = None
    ping_guilds: frozenset[int] = frozenset()


def plan_deliveries(planned: Sequence[Planned], ctx: PlanContext, *, key: Keyer = alert_key) -> list[Delivery]:
    """Decide every delivery for one poll's items; each (alert key, target) appears at most once.

    A server whose follows an item concerns gets it in its alert channel (settings permitting); a
    follower whose follow's filter lets the item through gets one DM, counted for the lowest-numbered
    server in which the follow wants it. When two items of one poll share an alert, the first is shown
    and its channel message pings for either. Deliveries come out server by server: the channel post,
    then the DMs in user order.
    """
    out: list[Delivery] = []
    channel_at: dict[tuple[AlertKey, int], int] = {}  # (alert, server) -> its channel delivery's place in out
    dms: dict[AlertKey, set[int]] = {}  # per alert key: the users it goes to by DM
    for entry in planned:
        akey = key(entry.ingested)
        done_dms = dms.setdefault(akey, set())
        by_guild: dict[int, list[int]] = {}
        for user_id, guild_id in sorted(_dm_servers(entry, DmRule(entry.ingested, ctx), done_dms).items()):
            by_guild.setdefault(guild_id, []).append(user_id)
        followed = {g for followers in entry.hits for g in followers.guild_ids}
        for guild_id in sorted(followed | entry.ping_guilds):
            settings = ctx.guilds.get(guild_id) or GuildSettings(guild_id)
            channel = channel_delivery(entry, akey, settings, ctx, followed=guild_id in followed)
            if channel is not None:
                if (akey, guild_id) not in channel_at:
                    channel_at[(akey, guild_id)] = len(out)
                    out.append(channel)
                else:
                    earlier = out[channel_at[(akey, guild_id)]]
                    roles = tuple(sorted({*earlier.ping_roles, *channel.ping_roles}))
                    out[channel_at[(akey, guild_id)]] = replace(earlier, ping_roles=roles)
            for user_id in by_guild.get(guild_id, ()):
                done_dms.add(user_id)
                out.append(Delivery(akey, TargetKind.DM, user_id, guild_id, entry.ingested.item.id))
    return out


def _dm_servers(entry: Planned, wants: DmRule, done: set[int]) -> dict[int, int]:
    """Each follower who gets a DM (and has none planned yet), with the lowest server whose follow wants it."""
    chosen: dict[int, int] = {}
    for followers in entry.hits:
        if not follow_passes(followers, entry.ingested, entry.tier):  # the group's filter: once for all of them
            continue
        entity_id = followers.entity_id
        for guild_id, user_id in zip(followers.guild_ids, followers.user_ids, strict=True):
            known = chosen.get(user_id)
            if (known is None or guild_id < known) and user_id not in done and wants(user_id, entity_id, guild_id):
                chosen[user_id] = guild_id
    return chosen


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
    rules = ctx.pings.get(settings.guild_id, ())
    roles = ping_roles(rules, entry.ingested, entry.tier) if rules else ()  # most servers have none
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


class DmRule:
    """Whether a follower of an entity (None: of a term) in a server gets one item by DM now, by their /dm
    mode and the windows closing soon (within that server's lead time).

    An alert about a big club concerns thousands of follows of the same few entities in a thousand
    servers: each entity's deadline leagues, each server's lead time and each (lead time, leagues)
    window check is worked out once.
    """

    def __init__(self, ingested: IngestedItem, ctx: PlanContext) -> None:
        self._ingested = ingested
        self._ctx = ctx
        self._leagues: dict[str | None, frozenset[str]] = {}
        self._leads: dict[int, timedelta] = {}
        self._closing: dict[tuple[timedelta, frozenset[str]], bool] = {}

    def __call__(self, user_id: int, entity_id: str | None, guild_id: int) -> bool:
        user = self._ctx.users.get(user_id)
        mode = user.dm_mode if user is not None else DmMode.DEADLINE  # no row: the defaults
        if mode is DmMode.OFF or (user is not None and user.dm_undeliverable):
            return False
        if mode is DmMode.ALWAYS:
            return True
        lead = self._leads.get(guild_id)
        if lead is None:
            guild = self._ctx.guilds.get(guild_id)
            hours = guild.deadline_lead_hours if guild is not None else None
            lead = self._leads[guild_id] = timedelta(hours=hours) if hours else self._ctx.default_lead
        leagues = self._leagues.get(entity_id)
        if leagues is None:
            leagues = self._leagues[entity_id] = frozenset(deadline_leagues(entity_id, self._ingested,
                                                                            self._ctx.catalogue))
        closing = self._closing.get((lead, leagues))
        if closing is None:
            closing = self._closing[(lead, leagues)] = bool(leagues) and bool(
                self._ctx.calendar.closing_within(self._ctx.now, lead, leagues))
        return closing


def deadline_leagues(entity_id: str | None, ingested: IngestedItem, catalogue: Catalogue) -> set[str]:
    """Leagues whose deadline matters for a follow of ``entity_id`` (None: a term) and this item.

    A club: its league. A player: his club's league and the leagues of the clubs the item links him
    with. A term: the leagues of everything the item mentions.
    """
    mentioned = ingested.match.entity_ids()
    clubs = [e for e in mentioned if e.startswith(f"{EntityKind.CLUB.value}:")]
    if entity_id is None:
        return relevant_leagues(mentioned, catalogue)
    entity = catalogue.find(entity_id)
    if entity is None:
        return set()
    if entity.kind is EntityKind.CLUB:
        return relevant_leagues([entity.id], catalogue)
    linked = [r.to_club_id for r in ingested.rumours if r.player_id == entity.id] or clubs
    return relevant_leagues([entity.id, *linked], catalogue)
