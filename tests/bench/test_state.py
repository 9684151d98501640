"""The scale bench's state generator at a tiny size, and the read, routing and planning paths over it checked
against brute force over the same database (what the bench times must also be right)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bench.scale import hot_club_alert, opened
from bench.state import HOT_CLUB, HOT_PLAYER, MENTION_OFFSET, NOW, USER_BASE, Popularity, StateSpec, build, follow_rows
from bot import intel
from bot.alerts.routing import concerned_follows, item_folded_text, term_matches
from bot.app import App
from bot.catalogue import Catalogue, Matcher, norm
from bot.models import StoredItem, Story
from bot.services import Services, build_services

SPEC = StateSpec(items=600, follows=3_000, servers=12, days=12, hot_club_fans=3, power_users=2)


@dataclass
class World:
    """The opened state, its services, and every item with its mentions read one by one."""

    app: App
    services: Services
    items: list[StoredItem]
    mentions: dict[int, set[str]]


@pytest.fixture(scope="module")
def state_file(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue, matcher: Matcher) -> Path:
    path = tmp_path_factory.mktemp("state") / "state.sqlite3"
    built = asyncio.run(build(SPEC, path, catalogue, matcher))
    assert (built.items, built.follows) == (SPEC.items, SPEC.follows) and built.stories > 0
    return path


@pytest.fixture
async def world(state_file: Path, catalogue: Catalogue, matcher: Matcher) -> AsyncIterator[World]:
    async with opened(state_file, catalogue, matcher) as app:
        items = [item for n in range(1, SPEC.items + 1) if (item := await app.storage.items.get(n)) is not None]
        mentions = {i.id: {e for e, _ in await app.storage.items.mentions(i.id)} for i in items}
        yield World(app, build_services(app, now=lambda: NOW)[0], items, mentions)


def newest(items: list[StoredItem]) -> list[StoredItem]:
    return sorted(items, key=lambda i: (i.published_at, i.id), reverse=True)


async def visible_items(w: World, guild_id: int) -> list[StoredItem]:
    feeds = await w.app.storage.timeline.visible_feeds(guild_id)
    return newest([i for i in w.items if i.feed_id in feeds])


def test_the_generator_writes_a_realistic_state(state_file: Path, catalogue: Catalogue) -> None:
    """Corpus wording with catalogue names, spread over the days, every server and user as specified."""
    rows, users, fans = follow_rows(SPEC, catalogue)
    per_user: dict[tuple[object, object], int] = {}
    for row in rows:
        per_user[(row["guild_id"], row["user_id"])] = per_user.get((row["guild_id"], row["user_id"]), 0) + 1
    assert max(per_user.values()) == 50 and len(fans) == SPEC.servers * SPEC.hot_club_fans
    assert sum(row["entity_id"] == HOT_CLUB for row in rows) == len(fans)  # only the fans follow the hot club
    assert any(row["term"] for row in rows) and len(users) > SPEC.servers


async def test_items_name_catalogue_entities_as_written(world: World, catalogue: Catalogue) -> None:
    spread = max(i.published_at for i in world.items) - min(i.published_at for i in world.items)
    assert spread > timedelta(days=SPEC.days - 1)
    named = [i for i in world.items if world.mentions[i.id]]
    assert len(named) > SPEC.items * 0.9
    for item in named[:100]:
        for entity_id, written in await world.app.storage.items.mentions(item.id):
            assert catalogue.find(entity_id) is not None and written in f"{item.title}\n\n{item.summary}"


@pytest.mark.parametrize("guild_id", [1, 7])  # server 1 reads its own extra feed too
async def test_latest_and_latest_about_match_brute_force(world: World, guild_id: int) -> None:
    seen = await visible_items(world, guild_id)
    latest = await world.services.latest(guild_id=guild_id, query=None)
    assert [h.title for h in latest.headlines] == [i.title for i in [i for i in seen if world.mentions[i.id]][:10]]
    for entity_id in (HOT_CLUB, HOT_PLAYER, "club:juventus"):
        about = await world.app.storage.timeline.latest_about(entity_id, guild_id=guild_id, limit=10)
        assert [i.id for i in about] == [i.id for i in seen if entity_id in world.mentions[i.id]][:10]


async def test_following_matches_brute_force(world: World, catalogue: Catalogue) -> None:
    """A user with 50 follows: each line's latest headline is the newest item about it the server sees."""
    guild_id, user_id = 1, USER_BASE
    seen = await visible_items(world, guild_id)
    targets = await world.services.following.of_user(guild_id=guild_id, user_id=user_id)
    lines = await world.services.follows(guild_id=guild_id, user_id=user_id)
    assert len(lines) == len(targets) == 50
    for target, line in zip(targets, lines, strict=True):
        if target.entity is not None:
            expected = next((i for i in seen if target.entity.id in world.mentions[i.id]), None)
        else:
            expected = next((i for i in seen[:300] if term_matches(norm(target.term or ""), item_folded_text(i))), None)
        assert (line.latest.title if line.latest else None) == (expected.title if expected else None)


def reference(story: Story, feed_ids: set[int], catalogue: Catalogue, now: datetime) -> intel.StoryView | None:
    seen = intel.visible(story, feed_ids)
    return intel.view(seen, catalogue, now) if seen is not None else None


def hottest(view: intel.StoryView) -> tuple[float, float, int]:
    return (-view.heat, -view.story.last_at.timestamp(), -view.story.id)


@pytest.mark.parametrize("limit", [1, 3, 15])
async def test_shortlist_and_timeline_match_ranking_every_story(world: World, catalogue: Catalogue, limit: int) -> None:
    """Pruning by heat ceiling leaves out only stories that cannot rank: the same answer as ranking them all."""
    now = await intel.as_of(world.app.storage, NOW)
    everything = await world.app.storage.stories.since(now - timedelta(days=90), limit=100_000)
    popular = Popularity(catalogue, offset=MENTION_OFFSET)
    for guild_id in (1, 7):
        feeds = await world.app.storage.timeline.visible_feeds(guild_id)
        for club in popular.clubs[:6]:
            best: dict[str, intel.StoryView] = {}
            for story in everything:
                if story.to_club_id == club and story.last_at >= now - timedelta(days=30) and not story.stage.is_negative:
                    v = reference(story, feeds, catalogue, now)
                    if v is not None and (story.player_id not in best or v.heat > best[story.player_id].heat):
                        best[story.player_id] = v
            expected = [(v.story.id, v.heat, len(v.story.reports)) for v in sorted(best.values(), key=hottest)[:limit]]
            got = await intel.shortlist(world.app.storage, catalogue, club, NOW, limit=limit, feed_ids=feeds)
            assert [(v.story.id, v.heat, len(v.story.reports)) for v in got] == expected
        for player in popular.players[:6]:
            views = [v for s in everything if s.player_id == player and (v := reference(s, feeds, catalogue, now))]
            expected = [(v.story.id, v.heat) for v in sorted(views, key=hottest)[:limit]]
            got = await intel.player_timeline(world.app.storage, catalogue, player, NOW, limit=limit, feed_ids=feeds)
            assert [(v.story.id, v.heat) for v in got] == expected


async def test_commands_answer_about_the_hot_club_and_player(world: World) -> None:
    shortlist = await world.services.shortlist(guild_id=3, query=HOT_CLUB)
    assert shortlist.club == "AC Milan" and shortlist.entries
    heats = [e.heat or 0.0 for e in shortlist.entries]
    assert heats == sorted(heats, reverse=True)
    timeline = await world.services.rumours(guild_id=3, query=HOT_PLAYER)
    assert timeline.entries and all(e.headline.link for e in timeline.entries)


async def test_routing_matches_brute_force_over_the_follows(world: World, catalogue: Catalogue) -> None:
    rows, _, _ = follow_rows(SPEC, catalogue)
    for item in random.Random(2).sample(world.items, 40):
        feed = await world.app.storage.feeds.get(item.feed_id)
        assert feed is not None
        folded = item_folded_text(item)
        expected = {
            (r["entity_id"], r["term"], r["guild_id"], r["user_id"]) for r in rows
            if (r["entity_id"] in world.mentions[item.id] or (r["term"] and term_matches(str(r["term_norm"]), folded)))
            and (0 in feed.guild_ids or r["guild_id"] in feed.guild_ids)
        }
        routed = {(f.entity_id, f.term, g, u) for f in await concerned_follows(world.app.storage, item, feed)
                  for g, u in zip(f.guild_ids, f.user_ids, strict=True)}
        assert routed == expected


async def test_an_alert_about_the_hot_club_goes_to_every_server_and_its_fans(world: World) -> None:
    _, pipeline = build_services(world.app, now=lambda: NOW)
    alert = await hot_club_alert(world.app, 0)
    result = await pipeline.plan([alert], NOW)
    assert result.added == SPEC.servers * (1 + SPEC.hot_club_fans)  # a channel post and each fan's deadline DM
