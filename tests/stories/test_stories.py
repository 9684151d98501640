"""Stories: the decider (membership by entity pair), heat, and the shortlist built on them."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import intel
from bot.catalogue import Catalogue, Matcher
from bot.cli import build_parser, cmd_poll, cmd_shortlist, cmd_stories, load_settings
from bot.feeds.fetch import FeedFetcher
from bot.ingest import Ingestor
from bot.models import AlertKey, FeedItem, ItemRumours, NewItem, Report, ReportedRumour, Stage, Story, StoryUpdate
from bot.sources import load_sources
from bot.storage import Storage
from bot.stories import decide, heat, heat_ceiling, primary
from tests.conftest import SEEDS
from tests.feedserver import FeedServer

T0 = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
DEMO = SEEDS / "demo"


def report(outlet: str, tier: int | None, hours_ago: float, stage: Stage = Stage.TALKS) -> Report:
    return Report(1, outlet, tier, stage, T0 - timedelta(hours=hours_ago))


def test_heat_grows_with_outlets_and_reliability_and_decays() -> None:
    """More distinct outlets, better tiers and fresher reports make a story hotter."""
    one = heat([report("A", 3, 0)], Stage.TALKS, T0)
    assert heat([report("A", 3, 0), report("B", 3, 0)], Stage.TALKS, T0) > one
    assert heat([report("A", 3, 0), report("A", 3, 1)], Stage.TALKS, T0) == one  # same outlet twice counts once
    assert heat([report("A", 1, 0)], Stage.TALKS, T0) > one
    assert heat([report("A", 3, 24)], Stage.TALKS, T0) == pytest.approx(one / 2, rel=0.01)
    assert heat([report("A", 3, 0)], Stage.HERE_WE_GO, T0) > heat([report("A", 3, 0)], Stage.INTEREST, T0)
    assert heat([report("A", 3, 0)], Stage.DENIED, T0) < one


def test_heat_never_exceeds_its_ceiling() -> None:
    """The bound the read commands skip stories by holds for any trail: outlets, tiers, ages, stages, future times."""
    rng = random.Random(8)
    for _ in range(2_000):
        stage = rng.choice(list(Stage))
        trail = [report(rng.choice("ABCDEF"), rng.choice([None, 0, 1, 2, 3, 4, 5]), rng.uniform(-30, 24 * 40), stage)
                 for _ in range(rng.randint(1, 8))]
        last_at = max(r.published for r in trail)
        # heat is rounded to 3 decimals, the ceiling is not: rounded alike, it is never lower
        assert heat(trail, stage, T0) <= round(heat_ceiling(stage, len(trail), last_at, T0), 3)
    fresh = [report("A", 0, 0), report("B", 0, 0)]
    assert heat(fresh, Stage.TALKS, T0) == pytest.approx(heat_ceiling(Stage.TALKS, 2, T0, T0))  # and it is tight


def test_primary_story_is_the_most_advanced() -> None:
    """An item's alert is about its most advanced story; ties go to the first reported."""
    a = StoryUpdate(1, "p", "x", Stage.INTEREST, None, True)
    b = StoryUpdate(2, "p", "y", Stage.TALKS, None, True)
    c = StoryUpdate(3, "q", "y", Stage.TALKS, None, True)
    assert primary([a, b, c]) is b
    assert primary([]) is None
    assert b.key == AlertKey.for_story(2, Stage.TALKS) and str(b.key) == "story:2:talks"


def rumour(player: str, club: str, stage: Stage, outlet: str, tier: int = 3) -> ReportedRumour:
    return ReportedRumour(player, club, "club:tottenham", stage, None, None, False, False, outlet, tier, True)


def items(*rumours: tuple[int, float, ReportedRumour]) -> list[ItemRumours]:
    return [ItemRumours(item_id, T0 + timedelta(hours=hours), (r,)) for item_id, hours, r in rumours]


def test_decider_joins_reports_and_tracks_stage() -> None:
    """A second outlet joins the open story; a higher stage climbs it; another club is another story."""
    decision = decide(items(
        (1, 0, rumour("player:x", "club:ac-milan", Stage.INTEREST, "A")),
        (2, 1, rumour("player:x", "club:ac-milan", Stage.TALKS, "B")),
        (3, 2, rumour("player:x", "club:ac-milan", Stage.INTEREST, "C")),
        (4, 0, rumour("player:x", "club:napoli", Stage.INTEREST, "A")),
    ), [], 7)
    [first], [second], [third], [other] = decision.updates
    assert first.is_new and first.previous_stage is None and first.story_id == 7
    assert (second.story_id, second.is_new, second.climbed) == (7, False, True)
    assert (third.stage, third.climbed) == (Stage.TALKS, False)
    assert other.story_id == 8 and set(decision.opened) == {7, 8} and not decision.changed
    assert decision.opened[7].stage is Stage.TALKS and decision.opened[7].head_item_id == 1
    assert [r.item_id for r in decision.reports if r.story_id == 7] == [1, 2, 3]


def test_decider_by_entity_pair_not_by_title_and_window() -> None:
    """Another club is another story; a report long after the last one opens a new story of the same pair."""
    stored = Story(3, "player:x", "club:ac-milan", None, Stage.TALKS, None, None, 10, T0 - timedelta(days=30),
                   T0 - timedelta(days=20))
    recent = Story(5, "player:x", "club:inter", None, Stage.INTEREST, None, None, 11, T0, T0)
    decision = decide(items(
        (20, 1, rumour("player:x", "club:ac-milan", Stage.BID, "A")),
        (21, 2, rumour("player:x", "club:inter", Stage.BID, "A")),
    ), [stored, recent], 9)
    [milan], [inter] = decision.updates
    assert milan.story_id == 9 and milan.is_new  # the stored Milan story closed 20 days ago
    assert (inter.story_id, inter.previous_stage, inter.climbed) == (5, Stage.INTEREST, True)
    assert decision.changed[5].stage is Stage.BID and decision.changed[5].head_item_id == 11


async def _items(storage: Storage, n: int) -> list[int]:
    feed = await storage.feeds.add("https://x.example/rss", now=T0)
    new = [NewItem(FeedItem(f"guid:{i}", f"t{i}", "", None, T0), f"feed:x:{i}", True) for i in range(n)]
    return [s.id for s in await storage.items.insert(feed.id, new, fetched_at=T0)]


@pytest.fixture
async def sample_feeds() -> AsyncIterator[FeedServer]:
    """The demo's sample feeds, served as they look after new items appeared."""
    async with FeedServer() as server:
        for folder in sorted(p for p in DEMO.iterdir() if p.is_dir()):
            server.add(f"/{folder.name}.xml", (folder / "after.xml").read_bytes())
        yield server


async def test_same_rumour_from_two_feeds_is_one_story(
    sample_feeds: FeedServer, storage: Storage, catalogue: Catalogue, matcher: Matcher
) -> None:
    """The seed article and another outlet's Drăgușin-to-Milan report form one story with two outlets, and the shortlist ranks it first."""
    await storage.catalogue.sync(catalogue)
    sources = load_sources(SEEDS / "sources.toml")
    for name in ("calcio-wire", "north-london-news", "gossip-column"):
        await storage.feeds.add(sample_feeds.url(f"/{name}.xml"), now=T0)
    async with FeedFetcher(allow_private=True) as fetcher:
        await Ingestor(storage, fetcher, matcher, sources=sources).poll_due(T0)
    stories = {(s.player_id, s.to_club_id): s for s in await storage.stories.since(T0 - timedelta(days=7))}
    milan = stories[("player:radu-dragusin", "club:ac-milan")]
    assert len(milan.outlets) == 2
    shortlist = await intel.shortlist(storage, catalogue, "club:ac-milan", T0)
    names = [v.player for v in shortlist]
    assert names[:2] == ["Radu Drăgușin", "Nathan Aké"]
    assert not any(catalogue.club_of(p.story.player_id) and catalogue.club_of(p.story.player_id).id == "club:inter" for p in shortlist)


async def test_cli_shortlist_and_stories(
    sample_feeds: FeedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mercato shortlist milan --json` lists Drăgușin then Aké; `mercato stories --json` shows the trail."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MERCATO_ALLOW_PRIVATE_FEEDS", "true")
    db = str(tmp_path / "m.sqlite3")
    storage = await Storage.open(db)
    try:  # only the sample feeds (the default feeds would need the internet)
        await storage.meta.set("default_feeds_added", "test")
        for name in ("calcio-wire", "north-london-news", "gossip-column"):
            await storage.feeds.add(sample_feeds.url(f"/{name}.xml"), now=T0)
    finally:
        await storage.close()

    async def cli(*argv: str) -> str:
        args = build_parser().parse_args(["--db", db, *argv])
        handler = {"poll": cmd_poll, "shortlist": cmd_shortlist, "stories": cmd_stories}[args.command]
        capsys.readouterr()
        assert await handler(load_settings(args), args) == 0
        return capsys.readouterr().out

    assert "3 new items" in await cli("poll", "--once")
    out = json.loads(await cli("shortlist", "milan", "--json"))
    assert out["club"] == "AC Milan"
    assert [p["name"] for p in out["players"]][:2] == ["Radu Drăgușin", "Nathan Aké"]
    assert out["players"][0]["outlets"] == 2 and out["players"][0]["heat"] > out["players"][1]["heat"]
    stories = json.loads(await cli("stories", "--json", "--since", "72"))
    dragusin_milan = next(s for s in stories if s["player"] == "Radu Drăgușin" and s["to"] == "AC Milan")
    assert len(dragusin_milan["reports"]) == 2
    assert {"outlet", "tier", "link", "time"} <= set(dragusin_milan["reports"][0])
