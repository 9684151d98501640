"""Read models over stories: a club's shortlist ranked by heat, a player's rumour timeline, recent stories."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.catalogue import Catalogue
from bot.models import Story
from bot.storage import Storage
from bot.stories import best_report, heat

SHORTLIST_DAYS = 30


@dataclass(frozen=True, slots=True)
class StoryView:
    """A story with names resolved and heat computed at ``now``."""

    story: Story
    player: str
    from_club: str | None
    to_club: str
    heat: float

    @property
    def outlets(self) -> int:
        """How many distinct outlets reported it."""
        return len(self.story.outlets)

    def best_source(self) -> tuple[str | None, int | None]:
        """The most reliable report's source (cited source when it named one) and tier."""
        best = best_report(self.story.reports)
        return (best.cited or best.outlet, best.tier) if best is not None else (None, None)

    def to_dict(self) -> dict[str, Any]:
        """The `mercato stories --json` shape."""
        head = self.story.reports[0] if self.story.reports else None
        return {
            "id": self.story.id,
            "title": head.title if head else None,
            "player": self.player,
            "from": self.from_club,
            "to": self.to_club,
            "stage": self.story.stage.value,
            "deal": self.story.deal.value if self.story.deal else None,
            "fee": self.story.fee,
            "heat": self.heat,
            "reports": [
                {
                    "outlet": r.outlet,
                    "cited": r.cited,
                    "tier": r.tier,
                    "stage": r.stage.value,
                    "link": r.link,
                    "time": r.published.isoformat(),
                }
                for r in self.story.reports
            ],
        }


def view(story: Story, catalogue: Catalogue, now: datetime) -> StoryView:
    """Resolve names and compute heat."""

    def name(entity_id: str | None) -> str | None:
        entity = catalogue.find(entity_id) if entity_id else None
        return entity.name if entity else entity_id

    return StoryView(
        story=story,
        player=name(story.player_id) or story.player_id,
        from_club=name(story.from_club_id),
        to_club=name(story.to_club_id) or story.to_club_id,
        heat=heat(story.reports, story.stage, now),
    )


async def as_of(storage: Storage, now: datetime) -> datetime:
    """The moment "currently" means: now, or the newest report if the database stopped receiving news earlier.

    A live bot's newest report is minutes old, so this is ``now``; a database filled from an archive
    or sample feeds still answers "who is linked with Milan" as of its newest news.
    """
    latest = await storage.stories.latest()
    return min(now, latest) if latest is not None else now


def visible(story: Story, feed_ids: Container[int]) -> Story | None:
    """The story as a server sees it: only reports from feeds it reads (None if it sees none)."""
    reports = tuple(r for r in story.reports if r.feed_id in feed_ids)
    if not reports:
        return None
    return replace(story, reports=reports) if len(reports) != len(story.reports) else story


async def shortlist(
    storage: Storage,
    catalogue: Catalogue,
    club_id: str,
    now: datetime,
    *,
    days: int = SHORTLIST_DAYS,
    limit: int = 15,
    feed_ids: Container[int] | None = None,
) -> list[StoryView]:
    """The players currently linked with a club, hottest first (denied and collapsed stories left out).

    ``feed_ids`` limits the evidence to the feeds one server reads.
    """
    now = await as_of(storage, now)
    stories = await storage.stories.for_club(club_id, now - timedelta(days=days))
    best: dict[str, StoryView] = {}
    for found in stories:
        story = visible(found, feed_ids) if feed_ids is not None else found
        if story is None or story.stage.is_negative:
            continue
        current = view(story, catalogue, now)
        if story.player_id not in best or current.heat > best[story.player_id].heat:
            best[story.player_id] = current
    return sorted(best.values(), key=lambda v: (-v.heat, -v.story.last_at.timestamp()))[:limit]


async def player_timeline(
    storage: Storage,
    catalogue: Catalogue,
    player_id: str,
    now: datetime,
    *,
    days: int = 90,
    feed_ids: Container[int] | None = None,
) -> list[StoryView]:
    """A player's stories, hottest club first (``feed_ids``: only what one server's feeds reported)."""
    now = await as_of(storage, now)
    stories = await storage.stories.for_player(player_id, now - timedelta(days=days))
    seen = [s for s in (visible(s, feed_ids) if feed_ids is not None else s for s in stories) if s is not None]
    return sorted((view(s, catalogue, now) for s in seen), key=lambda v: -v.heat)


async def recent(storage: Storage, catalogue: Catalogue, now: datetime, *, hours: int = 48) -> list[StoryView]:
    """Stories reported in the last ``hours``, newest first."""
    now = await as_of(storage, now)
    return [view(s, catalogue, now) for s in await storage.stories.since(now - timedelta(hours=hours))]
