"""The demo's sample feeds yield exactly the hand-labelled rumours of tests/data/demo-rumours.toml."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, Matcher
from bot.feeds.fetch import FeedFetcher
from bot.ingest import Ingestor
from bot.language import fold_text
from bot.sources import load_sources
from bot.storage import Storage
from tests.conftest import REPO, SEEDS
from tests.feedserver import FeedServer

T0 = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
DEMO = SEEDS / "demo"
EXPECTED = REPO / "tests" / "data" / "demo-rumours.toml"

# (player id, from club id, to club id, stage)
Rumour = tuple[str, str | None, str, str]


@pytest.fixture
async def demo_feeds() -> AsyncIterator[tuple[FeedServer, list[str]]]:
    """Every sample feed, before and after, each at its own address."""
    async with FeedServer() as server:
        paths = []
        for xml in sorted(DEMO.glob("*/*.xml")):
            path = f"/{xml.parent.name}-{xml.stem}.xml"
            server.add(path, xml.read_bytes())
            paths.append(path)
        yield server, paths


def _expected(catalogue: Catalogue) -> dict[str, set[Rumour]]:
    names = {(entity.kind.value, fold_text(entity.name)): entity.id for entity in catalogue.entities.values()}

    def entity(kind: str, name: str | None) -> str | None:
        return None if name is None else names[(kind, fold_text(name))]

    labelled = tomllib.loads(EXPECTED.read_text(encoding="utf-8"))["item"]
    return {
        item["title"]: {
            (names[("player", fold_text(r["player"]))], entity("club", r.get("from")), names[("club", fold_text(r["to"]))],
             r["stage"])
            for r in item["rumours"]
        }
        for item in labelled
    }


async def _read_rumours(storage: Storage) -> dict[str, set[Rumour]]:
    """Every stored item's title → the rumours its reports carry."""
    found: dict[str, set[Rumour]] = {}
    for item_id in range(1, await storage.items.count() + 1):
        item = await storage.items.get(item_id)
        assert item is not None
        rumours = found.setdefault(item.title, set())
        for story in await storage.stories.of_item(item_id):
            stage = next(r.stage for r in story.reports if r.item_id == item_id)
            rumours.add((story.player_id, story.from_club_id, story.to_club_id, stage.value))
    return found


async def test_demo_feeds_yield_exactly_the_labelled_rumours(
    demo_feeds: tuple[FeedServer, list[str]], storage: Storage, catalogue: Catalogue, matcher: Matcher
) -> None:
    """No sample item yields a false rumour (nor misses a labelled one), read the way the bot reads feeds."""
    server, paths = demo_feeds
    await storage.catalogue.sync(catalogue)
    for path in paths:
        await storage.feeds.add(server.url(path), now=T0)
    async with FeedFetcher(allow_private=True) as fetcher:
        await Ingestor(storage, fetcher, matcher, sources=load_sources(SEEDS / "sources.toml")).poll_due(T0)
    found = await _read_rumours(storage)
    expected = _expected(catalogue)
    assert set(expected) <= set(found), "a labelled title is no longer in the sample feeds"
    assert len(found) >= 8
    for title, rumours in found.items():
        assert rumours == expected.get(title, set()), title


def test_expectation_file_names_catalogue_entities(catalogue: Catalogue) -> None:
    """Every player and club of the expectation file is in the catalogue (the file stays in step with the seeds)."""
    assert sum(len(rumours) for rumours in _expected(catalogue).values()) == 6
    assert Path(EXPECTED).is_file()
