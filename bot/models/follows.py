"""Who wants what: follows, the follows an item concerns, server and user settings."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.models.rumours import Stage

DEFAULT_TIER_FLOOR: Final = 5  # show everything down to aggregators


@dataclass(frozen=True, slots=True)
class Follow:
    """A user's follow in one server: a catalogue entity, or a free-text term that matched nothing."""

    id: int
    guild_id: int
    user_id: int
    entity_id: str | None
    term: str | None
    created_at: datetime
    min_stage: Stage | None = None  # the follow's filter (issue 12): it governs this fan's DMs only
    max_tier: int | None = None


@dataclass(frozen=True, slots=True)
class FollowFilter:
    """What a follow lets through by DM: stories from ``min_stage`` up, sources of ``max_tier`` or better."""

    min_stage: Stage | None = None
    max_tier: int | None = None

@dataclass(frozen=True, slots=True)
class FollowHit:
    """A follow that a new item concerns, and why (the entity or the term it matched)."""

    guild_id: int
    user_id: int
    entity_id: str | None
    term: str | None
    min_stage: Stage | None = None  # the follow's filter
    max_tier: int | None = None


@dataclass(frozen=True, slots=True)
class Followers:
    """Everyone who follows one thing a new item concerns (an entity it mentions, or a term its text
    contains; ``term`` as typed) with one filter, as two parallel columns: the n-th follow is user
    ``user_ids[n]`` in server ``guild_ids[n]``.

    Columns, not one :class:`FollowHit` per follow: an item about a big club concerns ten thousand
    follows of a handful of entities, read from the database as a row per entity and filter; planning
    works out once per group what depends only on it (the filter, the deadline leagues).
    """

    entity_id: str | None
    term: str | None
    guild_ids: tuple[int, ...]
    user_ids: tuple[int, ...]
    min_stage: Stage | None = None  # the follows' filter
    max_tier: int | None = None

    def within(self, guild_ids: Container[int]) -> Followers:
        """Only the follows made in these servers."""
        kept = [(g, u) for g, u in zip(self.guild_ids, self.user_ids, strict=True) if g in guild_ids]
        return replace(self, guild_ids=tuple(g for g, _ in kept), user_ids=tuple(u for _, u in kept))


@dataclass(frozen=True, slots=True)
class PingRule:
    """A server's role ping: mention ``role_id`` on a channel alert that passes the filter.

    ``club_id``/``player_id`` (None: any) must both concern one of the alert's stories; ``min_stage``
    is the lowest stage that pings, ``max_tier`` the least reliable source tier that pings.
    """

    id: int
    guild_id: int
    role_id: int
    club_id: str | None = None
    player_id: str | None = None
    min_stage: Stage | None = None
    max_tier: int | None = None


class ChannelKind(StrEnum):
    """What a server's alert channel is: a text channel (one message per alert) or a forum (one post per story)."""

    TEXT = "text"
    FORUM = "forum"


class DmMode(StrEnum):
    """When a user gets DMs for what they follow."""

    DEADLINE = "deadline"  # only while a relevant window closes within the server's lead time
    ALWAYS = "always"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's settings; ``channel_failure`` is set when Discord refused the alert channel (403/404)."""

    guild_id: int
    alert_channel_id: int | None = None
    tier_floor: int = DEFAULT_TIER_FLOOR
    deadline_lead_hours: int | None = None  # None: the operator's default
    channel_failure: str | None = None
    channel_failed_at: datetime | None = None
    failure_notified: bool = False
    timezone: str | None = None  # IANA name its digests' times are in; None: UTC (issue 12)
    min_stage: Stage | None = None  # live channel alerts start at this stage; the digest has them all (issue 12)
    alert_channel_kind: ChannelKind = ChannelKind.TEXT  # a forum: each story is a post (bot.alerts.forum)

    @property
    def delivering(self) -> bool:
        """True if channel alerts go out: a channel is set and it has not failed."""
        return self.alert_channel_id is not None and self.channel_failure is None


@dataclass(frozen=True, slots=True)
class UserSettings:
    """One user's DM settings (they apply in every server)."""

    user_id: int
    dm_mode: DmMode = DmMode.DEADLINE
    dm_undeliverable: bool = False
    dm_error: str | None = None
