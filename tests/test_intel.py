"""The shortlist and the rumour timeline read only the stories that can rank, and answer as if they read all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import intel
from bot.catalogue import Catalogue
from bot.models import FeedItem, NewItem, ReportedRumour, Stage
from bot.storage import Storage
from bot.storage.ingest import FeedState
from bot.stories import STORY_WINDOW, decide

T0 = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
CLUB = "club:ac-milan"
PLAYER = "player:radu-dragusin"


class Board:
    """Stories written through the real ingest commit and story decider, one report per item."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.count = 0

    async def report(self, feed_id: int, player: str, club: str, hours_ago: float, *, stage: Stage = Stage.INTEREST,
                     outlet: str = "Outlet", tier: int = 3) -> None:
        self.count += 1
        n = self.count
        item = FeedItem(f"g{n}", f"Report {n}", "", f"https://x.example/{n}", T0 - timedelta(hours=hours_ago))
        rumour = ReportedRumour(player, club, None, stage, None, None, False, False, outlet, tier, True)
        await self.storage.ingest.commit(
            FeedState(feed_id, T0, T0, None, None, None, None), [(NewItem(item, f"link:{n}", False), (rumour,))],
            decide=decide, window=STORY_WINDOW,
        )


async def board(storage: Storage, key: str, others: list[str]) -> tuple[int, int]:
    """Stories about ``key`` (a club, or a player) with each of ``others``, built so that the newest six
    set a floor of 0.437 for the top three and two older stories rank above it; returns both feeds."""
    shared = (await storage.feeds.add("https://shared.example/rss", now=T0)).id
    own = (await storage.feeds.add("https://own.example/rss", now=T0, guild_id=2)).id
    b = Board(storage)

    def pair(other: str) -> tuple[str, str]:
        return (other, key) if key.startswith("club:") else (key, other)

    for other, hours in zip(others, (0, 10, 11, 12, 13, 14), strict=False):
        await b.report(shared, *pair(other), hours)  # heat 0.6 × 0.5^(hours/24): 0.6 ... 0.40
    await b.report(shared, *pair(others[6]), 5, stage=Stage.DENIED)
    await b.report(own, *pair(others[7]), 1, tier=1)  # only server 2 reads this feed
    await b.report(shared, *pair(others[8]), 30, tier=0)  # 1.2 × 0.5^1.25 = 0.505: just above the floor
    for outlet in "ABCDE":  # 2.5 × 5 × 0.5^(50/24) = 2.95: the hottest, two days old
        await b.report(shared, *pair(others[9]), 50, stage=Stage.AGREEMENT, outlet=outlet, tier=1)
    await b.report(shared, *pair(others[10]), 100, stage=Stage.AGREEMENT, outlet="F", tier=1)  # long cold
    return shared, own


async def test_the_shortlist_finds_older_stories_above_the_newest_ones_floor(
    storage: Storage, catalogue: Catalogue
) -> None:
    players = [p.id for p in catalogue.players()[:11]]
    await board(storage, CLUB, players)
    feeds_1 = await storage.timeline.visible_feeds(1)
    top = await intel.shortlist(storage, catalogue, CLUB, T0, limit=3, feed_ids=feeds_1)
    assert [(v.story.player_id, v.heat) for v in top] == [(players[9], 2.95), (players[0], 0.6), (players[8], 0.505)]
    everything = await intel.shortlist(storage, catalogue, CLUB, T0, limit=20, feed_ids=feeds_1)
    assert [v.story.player_id for v in everything[:3]] == [v.story.player_id for v in top]
    assert players[6] not in {v.story.player_id for v in everything}  # denied: never on a shortlist
    seen_by_2 = await intel.shortlist(storage, catalogue, CLUB, T0, limit=3, feed_ids=await storage.timeline.visible_feeds(2))
    assert [v.story.player_id for v in seen_by_2] == [players[9], players[7], players[0]]  # its own feed's report


async def test_the_timeline_finds_older_stories_above_the_newest_ones_floor(
    storage: Storage, catalogue: Catalogue
) -> None:
    clubs = [c.id for c in catalogue.clubs() if c.id != CLUB][:11]
    await board(storage, PLAYER, clubs)
    feeds_1 = await storage.timeline.visible_feeds(1)
    top = await intel.player_timeline(storage, catalogue, PLAYER, T0, limit=3, feed_ids=feeds_1)
    assert [(v.story.to_club_id, v.heat) for v in top] == [(clubs[9], 2.95), (clubs[0], 0.6), (clubs[8], 0.505)]
    every = await intel.player_timeline(storage, catalogue, PLAYER, T0, feed_ids=feeds_1)
    assert len(every) == 10 and every[:3] == top  # the denied story too, the other server's not
