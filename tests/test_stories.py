"""Stories: clustering by entity pair, heat, storage of the trail, and the shortlist built on them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import intel
from bot.catalogue import Catalogue, Matcher
from bot.cli import build_parser, cmd_poll, cmd_shortlist, cmd_stories, load_settings
from bot.feeds.fetch import FeedFetcher
from bot.ingest import Ingestor
from bot.rumours import Stage
from bot.sources import load_sources
from bot.storage import Storage
from bot.storage.stories import ReportedRumour
from bot.stories import ClusterInput, Report, StoryUpdate, cluster, heat, primary
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


def test_primary_story_is_the_most_advanced() -> None:
    """An item's alert is about its most advanced story; ties go to the first reported."""
    a = StoryUpdate(1, "p", "x", Stage.INTEREST, None, True)
    b = StoryUpdate(2, "p", "y", Stage.TALKS, None, True)
    c = StoryUpdate(3, "q", "y", Stage.TALKS, None, True)
    assert primary([a, b, c]) is b
    assert primary([]) is None
    assert b.key == "story:2:talks"


def item(item_id: str, hours: float, title: str, *pairs: tuple[str, str], entities: tuple[str, ...] = ()) -> ClusterInput:
    return ClusterInput(item_id, T0 + timedelta(hours=hours), title, frozenset(pairs), frozenset(entities))


def test_cluster_by_entity_pair_not_by_title() -> None:
    """"AC Milan bid for Højlund" and "Inter bid for Højlund" read alike but are two stories."""
    groups = cluster([
        item("1", 0, "AC Milan submit bid for Rasmus Højlund", ("hojlund", "milan")),
        item("2", 1, "Inter Milan submit bid for Rasmus Højlund", ("hojlund", "inter")),
        item("3", 2, "Højlund: Milan make offer", ("hojlund", "milan")),
        item("4", 3, "Inter's Højlund bid detailed", ("hojlund", "inter")),
    ])
    assert sorted(groups) == [["1", "3"], ["2", "4"]]


def test_cluster_window_and_title_support() -> None:
    """Reports far apart in time are separate stories; a rumour-less item joins only with the pair and a similar title."""
    groups = cluster([
        item("1", 0, "Milan in talks for Drăgușin", ("dragusin", "milan")),
        item("2", 24 * 30, "Milan renew Drăgușin talks", ("dragusin", "milan")),
        item("3", 1, "Milan in talks for Drăgușin, says report", entities=("dragusin", "milan")),
        item("4", 2, "Drăgușin trains with Spurs before Milan trip", entities=("dragusin", "milan", "spurs")),
    ])
    assert groups == [["1", "3"]]


def rumour(player: str, club: str, stage: Stage, outlet: str, tier: int = 3) -> ReportedRumour:
    return ReportedRumour(player, club, "club:tottenham", stage, None, None, False, False, outlet, tier, True)


async def _items(storage: Storage, n: int) -> list[int]:
    from bot.models import FeedItem
    from bot.storage import NewItem

    feed = await storage.feeds.add("https://x.example/rss", now=T0)
    new = [NewItem(FeedItem(f"guid:{i}", f"t{i}", "", None, T0), f"feed:x:{i}", True) for i in range(n)]
    return [s.id for s in await storage.items.insert(feed.id, new, fetched_at=T0)]


async def test_story_storage_joins_reports_and_tracks_stage(storage: Storage) -> None:
    """A second outlet joins the open story; a higher stage climbs it; another club is another story."""
    i1, i2, i3, i4 = await _items(storage, 4)
    window = timedelta(days=10)
    [first] = await storage.stories.record(i1, T0, [rumour("player:x", "club:ac-milan", Stage.INTEREST, "A")], window=window)
    assert first.is_new and first.previous_stage is None
    [second] = await storage.stories.record(i2, T0 + timedelta(hours=1), [rumour("player:x", "club:ac-milan", Stage.TALKS, "B")], window=window)
    assert (second.story_id, second.is_new, second.climbed) == (first.story_id, False, True)
    [third] = await storage.stories.record(i3, T0 + timedelta(hours=2), [rumour("player:x", "club:ac-milan", Stage.INTEREST, "C")], window=window)
    assert (third.stage, third.climbed) == (Stage.TALKS, False)
    [other] = await storage.stories.record(i4, T0, [rumour("player:x", "club:napoli", Stage.INTEREST, "A")], window=window)
    assert other.story_id != first.story_id
    story = await storage.stories.get(first.story_id)
    assert story.outlets == ["A", "B", "C"] and story.stage is Stage.TALKS and story.head_item_id == i1


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
