"""Read models over stories: a club's shortlist ranked by heat, a player's rumour timeline, recent stories."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Container, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bot.catalogue import Catalogue
from bot.models import Stage, Story
from bot.storage import Storage
from bot.storage.stories import HeatBar
from bot.stories import best_report, heat, heat_ceiling

SHORTLIST_DAYS = 30
EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
CEILING_MARGIN = 0.001  # heat is rounded to 3 decimals: a ceiling this close to the floor is kept
# Each stage's highest heat per report, when fresh: what the database filters old stories by.
STAGE_CEILINGS: Final = {stage: heat_ceiling(stage, 1, EPOCH, EPOCH) for stage in Stage}


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

    ``feed_ids`` limits the evidence to the feeds one server reads. Only the stories that can still
    be among the ``limit`` hottest are read with their reports (see :func:`_may_rank`).
    """
    now = await as_of(storage, now)
    since = now - timedelta(days=days)
    best: dict[str, StoryView] = {}

    def stories(before: Story | None, bar: HeatBar | None, count: int | None) -> Awaitable[list[Story]]:
        return storage.stories.for_club(club_id, since, before=before, bar=bar, limit=count)

    def floor() -> float:  # the heat a story must beat to change the answer
        return _kth([v.heat for v in best.values()], limit)

    async for story in _may_rank(stories, now, feed_ids, floor, first=2 * limit):
        if story.stage.is_negative:
            continue
        current = view(story, catalogue, now)
        if story.player_id not in best or current.heat > best[story.player_id].heat:
            best[story.player_id] = current
    return sorted(best.values(), key=_hottest)[:limit]


async def player_timeline(
    storage: Storage,
    catalogue: Catalogue,
    player_id: str,
    now: datetime,
    *,
    days: int = 90,
    limit: int | None = None,
    feed_ids: Container[int] | None = None,
) -> list[StoryView]:
    """A player's stories, hottest club first (``feed_ids``: only what one server's feeds reported).

    With ``limit``, only the hottest ``limit``: then the trails of stories that cannot be among them
    are never read.
    """
    now = await as_of(storage, now)
    since = now - timedelta(days=days)
    views: list[StoryView] = []

    def stories(before: Story | None, bar: HeatBar | None, count: int | None) -> Awaitable[list[Story]]:
        return storage.stories.for_player(player_id, since, before=before, bar=bar, limit=count)

    def floor() -> float:
        return _kth([v.heat for v in views], limit) if limit is not None else -math.inf

    async for story in _may_rank(stories, now, feed_ids, floor, first=2 * limit if limit else None):
        views.append(view(story, catalogue, now))
    return sorted(views, key=_hottest)[:limit]


def _hottest(v: StoryView) -> tuple[float, float, int]:
    """Hottest first; between equals, the newest (then the later story)."""
    return (-v.heat, -v.story.last_at.timestamp(), -v.story.id)


def _kth(heats: list[float], k: int) -> float:
    """The k-th highest heat (-inf while there are fewer than k)."""
    return sorted(heats, reverse=True)[k - 1] if len(heats) >= k else -math.inf


Stories = Callable[[Story | None, HeatBar | None, int | None], Awaitable[list[Story]]]


async def _may_rank(
    stories: Stories,
    now: datetime,
    feed_ids: Container[int] | None,
    floor: Callable[[], float],
    *,
    first: int | None,
) -> AsyncIterator[Story]:
    """Yield, newest first, the stories (as the server sees them) that may still reach ``floor()``.

    ``stories(before, bar, count)`` reads candidates newest first, with their reports. They are read
    ``first`` at a time (None: all at once) until the caller's ranking has a floor; then every older
    story whose heat ceiling reaches it, in one read (a story's heat never exceeds its ceiling, and an
    older story loses every tie). So an old story is read only when it could still rank, whatever the
    number of stories in the window. ``floor`` rises as the caller ranks what is yielded.
    """
    before: Story | None = None
    while True:
        bar = floor() - CEILING_MARGIN
        if bar > 0:  # the rest, if hot enough, in one read
            for story in _visible(await stories(before, HeatBar(now, bar, STAGE_CEILINGS), None), feed_ids):
                yield story
            return
        batch = await stories(before, None, first)  # no floor yet: the next newest
        for story in _visible(batch, feed_ids):
            yield story
        if first is None or len(batch) < first:
            return
        before = batch[-1]


def _visible(stories: Sequence[Story], feed_ids: Container[int] | None) -> list[Story]:
    return [s for s in (visible(s, feed_ids) if feed_ids is not None else s for s in stories) if s is not None]


async def recent(storage: Storage, catalogue: Catalogue, now: datetime, *, hours: int = 48) -> list[StoryView]:
    """Stories reported in the last ``hours``, newest first."""
    now = await as_of(storage, now)
    return [view(s, catalogue, now) for s in await storage.stories.since(now - timedelta(hours=hours))]
