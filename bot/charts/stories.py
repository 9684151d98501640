"""Which stories a heat chart shows: a club's shortlist (a line per player) or a player's clubs (a line per club)."""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime

from bot import intel
from bot.catalogue import Catalogue
from bot.charts.desk import ChartRequest
from bot.models import Entity, EntityKind
from bot.storage import Storage


def club_chart(club_name: str, views: Sequence[intel.StoryView], end: datetime) -> ChartRequest:
    """A club's chart from its shortlist: a line per player, hottest first."""
    return ChartRequest(club_name, "heat of each player's story", tuple((v.player, v.story) for v in views), end)


def player_chart(player_name: str, views: Sequence[intel.StoryView], end: datetime) -> ChartRequest:
    """A player's chart from his timeline: a line per club, hottest first."""
    return ChartRequest(player_name, "heat of each club's story", tuple((v.to_club, v.story) for v in views), end)


async def chart_for(
    storage: Storage, catalogue: Catalogue, entity: Entity, now: datetime, *, feed_ids: Container[int] | None = None
) -> ChartRequest:
    """The chart of a club or a player as of ``now`` (``feed_ids``: only what one server's feeds reported)."""
    end = await intel.as_of(storage, now)
    if entity.kind is EntityKind.CLUB:
        views = await intel.shortlist(storage, catalogue, entity.id, now, feed_ids=feed_ids)
        return club_chart(entity.name, views, end)
    views = await intel.player_timeline(storage, catalogue, entity.id, now, feed_ids=feed_ids)
    return player_chart(entity.name, views, end)
