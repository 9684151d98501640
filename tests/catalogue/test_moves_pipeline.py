"""Moves learnt from the news, end to end: a club-site feed served on 127.0.0.1, the real alert pipeline,
the operator's `mercato catalogue` commands on the same database, and what users see (autocomplete)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.catalogue import Catalogue, Matcher
from bot.cli import main
from bot.config import Settings
from bot.services import Services, build_services
from bot.sources import SourceDirectory, load_sources
from bot.storage.entities import Sighting
from tests.conftest import SEEDS
from tests.feedserver import FeedServer

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DRAGUSIN = "player:radu-dragusin"
OFFICIAL = ("milan-1", "Drăgușin completes AC Milan move",
            ("AC Milan are delighted to announce the signing of Radu Drăgușin from Tottenham Hotspur on a permanent "
             "deal. The Romanian defender has signed a contract until June 2030."))


def rss(*items: tuple[str, str, str], title: str, at: datetime) -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>https://news.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>{format_datetime(at, usegmt=True)}</pubDate><description>{escape(body)}</description></item>"
        for guid, t, body in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{entries}</channel></rss>"


@pytest.fixture(scope="module")
def club_sources(tmp_path_factory: pytest.TempPathFactory) -> SourceDirectory:
    """The shipped sources, with AC Milan's own site also served at 127.0.0.1/acmilan (by domain, as in production)."""
    text = (SEEDS / "sources.toml").read_text(encoding="utf-8")
    assert 'domains = ["acmilan.com"]' in text
    path = tmp_path_factory.mktemp("sources") / "sources.toml"
    path.write_text(text.replace('domains = ["acmilan.com"]', 'domains = ["acmilan.com", "127.0.0.1/acmilan"]'),
                    encoding="utf-8")
    return load_sources(path)


class Running:
    """A Mercato app (its real pipeline and services) with a clock and the feed server it polls."""

    def __init__(self, app: App, services: Services, feeds: FeedServer) -> None:
        self.app, self.services, self.feeds = app, services, feeds
        self.pipeline = services.pipeline
        self.clock = NOW

    async def add_feed(self, path: str, title: str) -> None:
        self.feeds.add(path, rss(title=title, at=self.clock - timedelta(days=3)))
        await self.app.storage.feeds.add(self.feeds.url(path), now=self.clock)
        await self.poll()  # the first poll primes the feed

    async def publish(self, path: str, title: str, *items: tuple[str, str, str]) -> Any:
        self.clock += timedelta(minutes=10)
        self.feeds.add(path, rss(*items, title=title, at=self.clock - timedelta(minutes=5)))
        return await self.poll()

    async def poll(self) -> Any:
        await self.app.storage.feeds.make_all_due(self.clock)
        result, _, _ = await self.pipeline.poll(self.clock)
        assert all(r.outcome != "error" for r in result.reports), [r.summary() for r in result.reports]
        return result

    def label(self, query: str) -> str:
        return self.services.complete_entities(query)[0].name


@asynccontextmanager
async def running(
    tmp_path: Path, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory, **overrides: Any
) -> AsyncIterator[Running]:
    settings = replace(Settings(db_path=tmp_path / "mercato.sqlite3", seeds_dir=SEEDS, allow_private_feeds=True),
                       **overrides)
    app = await open_app(settings, now=NOW, add_default_feeds=False, catalogue=catalogue, matcher=matcher,
                         sources=sources)
    try:
        async with FeedServer() as feeds:
            mercato = Running(app, build_services(app, now=lambda: mercato.clock)[0], feeds)
            yield mercato
    finally:
        await app.close()


async def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    """Run `mercato --db DB catalogue …` as the operator would (its own process-like event loop, in a thread)."""
    capsys.readouterr()
    status = await asyncio.to_thread(main, ["--db", str(db), "catalogue", *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


async def test_a_club_site_official_moves_the_player_and_undo_restores_him(
    tmp_path: Path, catalogue: Catalogue, matcher: Matcher, club_sources: SourceDirectory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's acceptance: AC Milan's site announces the move; he is at AC Milan everywhere; undo takes it back."""
    db = tmp_path / "mercato.sqlite3"
    async with running(tmp_path, catalogue, matcher, club_sources) as m:
        assert m.label("dragusin") == "Radu Drăgușin (Tottenham)"
        await m.services.follow(guild_id=1, user_id=2, query="dragusin")
        await m.add_feed("/acmilan/rss", "AC Milan")
        await m.publish("/acmilan/rss", "AC Milan", OFFICIAL)

        assert m.label("dragusin") == "Radu Drăgușin (AC Milan)"
        assert [f.label for f in await m.services.follows(guild_id=1, user_id=2)] == ["Radu Drăgușin (AC Milan)"]
        timeline = await m.services.rumours(guild_id=1, query="dragusin")  # /rumours shows the completed move
        assert timeline.moves == ("Tottenham → AC Milan (2026-12-02, AC Milan)",)
        assert m.app.catalogue.club_of(DRAGUSIN).name == "AC Milan"
        assert catalogue.club_of(DRAGUSIN).name == "Tottenham"  # the session's catalogue is not touched

        status, out = await cli(capsys, db, "player", "dragusin", "--json")
        assert status == 0
        record = json.loads(out)
        assert set(record) == {"name", "club", "loan_from", "aliases", "history"}
        assert (record["name"], record["club"], record["loan_from"]) == ("Radu Drăgușin", "AC Milan", None)
        assert "Drăgușin" in record["aliases"]
        first, last = record["history"]
        assert (first["club"], first["evidence"]) == ("Tottenham", {"origin": "seeds"})
        story = (await m.app.storage.stories.for_player(DRAGUSIN, NOW - timedelta(days=1)))[0]
        assert last == {"club": "AC Milan", "from_date": "2026-12-02", "evidence": {
            "move": 1, "origin": "news", "story": story.id, "rule": "club-official", "outlets": ["AC Milan"],
            "note": "Drăgușin completes AC Milan move"}}

        # After the move, "joins" is old news (no new story), and a new rumour's "from" is AC Milan.
        await m.add_feed("/news", "Calciomercato")
        result = await m.publish("/news", "Calciomercato",
                                 ("n1", "Radu Drăgușin joins AC Milan", "The defender joins AC Milan."),
                                 ("n2", "Juventus want Radu Drăgușin", "Juventus are keen on Radu Drăgușin."))
        rumours = {a.item.title: a.rumours for a in result.alerts}
        assert rumours["Radu Drăgușin joins AC Milan"] == ()
        assert [(r.from_club_id, r.to_club_id) for r in rumours["Juventus want Radu Drăgușin"]] == [
            ("club:ac-milan", "club:juventus")]

        status, out = await cli(capsys, db, "undo", "1")
        assert status == 0 and "Radu Drăgușin is back at Tottenham" in out
        status, out = await cli(capsys, db, "player", "dragusin", "--json")
        assert json.loads(out)["club"] == "Tottenham"
        assert [h["club"] for h in json.loads(out)["history"]] == ["Tottenham"]
        await m.poll()  # the running bot picks the operator's undo up at its next poll
        assert m.label("dragusin") == "Radu Drăgușin (Tottenham)"


async def test_review_mode_queues_the_same_move_until_approved(
    tmp_path: Path, catalogue: Catalogue, matcher: Matcher, club_sources: SourceDirectory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MERCATO_MOVES=review: the official news queues the move; approve applies it; a second poll changes nothing."""
    db = tmp_path / "mercato.sqlite3"
    async with running(tmp_path, catalogue, matcher, club_sources, moves_mode="review") as m:
        await m.add_feed("/acmilan/rss", "AC Milan")
        await m.publish("/acmilan/rss", "AC Milan", OFFICIAL)
        assert m.label("dragusin") == "Radu Drăgușin (Tottenham)"

        status, out = await cli(capsys, db, "moves", "--pending", "--json")
        assert status == 0
        [queued] = json.loads(out)
        assert (queued["status"], queued["player"], queued["from"], queued["to"]) == (
            "pending", "Radu Drăgușin", "Tottenham", "AC Milan")
        assert queued["evidence"]["rule"] == "club-official" and queued["evidence"]["outlets"] == ["AC Milan"]

        status, out = await cli(capsys, db, "undo", str(queued["id"]))
        assert status == 1 and "only an applied move can be undone" in out
        status, out = await cli(capsys, db, "approve", str(queued["id"]))
        assert status == 0 and "Approved move #1: Radu Drăgușin from Tottenham to AC Milan" in out
        await m.poll()
        assert m.label("dragusin") == "Radu Drăgușin (AC Milan)"
        status, out = await cli(capsys, db, "moves", "--pending")
        assert out.strip().endswith("No moves waiting for review.")


async def test_a_fan_site_named_after_the_club_moves_nobody(
    tmp_path: Path, catalogue: Catalogue, matcher: Matcher, club_sources: SourceDirectory,
) -> None:
    """Only the club's domain makes a club source: the same announcement on "Milan Insider" changes nothing."""
    async with running(tmp_path, catalogue, matcher, club_sources) as m:
        await m.add_feed("/insider/rss", "AC Milan")
        await m.publish("/insider/rss", "AC Milan", OFFICIAL)
        assert m.label("dragusin") == "Radu Drăgușin (Tottenham)"
        assert await m.app.storage.moves.listing() == []


async def test_a_promoted_provisional_player_gets_his_club_the_same_way(
    tmp_path: Path, catalogue: Catalogue, matcher: Matcher, club_sources: SourceDirectory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A player the catalogue learnt from the news (two feeds) moves like any other when his transfer completes."""
    async with running(tmp_path, catalogue, matcher, club_sources) as m:
        storage = m.app.storage
        for feed in ("https://one.example/rss", "https://two.example/rss"):
            await storage.feeds.add(feed, now=NOW)
        for item_id, feed_id in ((1, 1), (2, 2)):
            await storage.db.execute(
                "INSERT INTO items (id, feed_id, uid, dedupe_key, title, summary, published_at, fetched_at, alertable) "
                f"VALUES ({item_id}, {feed_id}, 'u{item_id}', 'k{item_id}', 't', '', '{NOW.isoformat()}', "
                f"'{NOW.isoformat()}', 0)")
            sighting = Sighting("player:joe-bloggs", "Joe Bloggs", "club:lens", "Lens striker Joe Bloggs", "FW")
            await storage.entities.record_sightings(item_id, feed_id, [sighting], now=NOW)
        assert await storage.entities.promote_eligible(min_feeds=2, now=NOW) == ["player:joe-bloggs"]
        await storage.db.execute("UPDATE feeds SET paused = 1")  # those two feeds only stand for past news
    # A restart: the matcher now knows him by name.
    async with running(tmp_path, catalogue, matcher, club_sources) as m:
        assert m.label("joe bloggs") == "Joe Bloggs (Lens)"
        await m.add_feed("/acmilan/rss", "AC Milan")
        announcement = "AC Milan are delighted to announce the signing of Joe Bloggs from Lens."
        await m.publish("/acmilan/rss", "AC Milan", ("milan-2", "Joe Bloggs completes AC Milan move", announcement))
        assert m.label("joe bloggs") == "Joe Bloggs (AC Milan)"
    status, out = await cli(capsys, tmp_path / "mercato.sqlite3", "player", "Joe Bloggs", "--json")
    assert status == 0
    record = json.loads(out)
    assert (record["club"], [h["club"] for h in record["history"]]) == ("AC Milan", ["Lens", "AC Milan"])
    assert record["history"][0]["evidence"] == {"origin": "news (a provisional player)"}



async def test_with_reading_processes_a_learnt_move_and_its_undo_reach_the_readers(
    tmp_path: Path, catalogue: Catalogue, matcher: Matcher, club_sources: SourceDirectory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The bot's default on a multi-core machine reads in worker processes (MERCATO_READ_WORKERS): each holds
    its own copy of the catalogue, yet a move learnt at run time, and an operator's undo, change what they read."""
    db = tmp_path / "mercato.sqlite3"
    async with running(tmp_path, catalogue, matcher, club_sources, read_workers=2) as m:
        assert type(m.app.ingestor.reading).__name__ == "ProcessReading"
        await m.add_feed("/acmilan/rss", "AC Milan")
        await m.publish("/acmilan/rss", "AC Milan", OFFICIAL)
        assert m.label("dragusin") == "Radu Drăgușin (AC Milan)"

        await m.add_feed("/news", "Calciomercato")
        result = await m.publish("/news", "Calciomercato",
                                 ("n1", "Radu Drăgușin joins AC Milan", "The defender joins AC Milan."),
                                 ("n2", "Juventus want Radu Drăgușin", "Juventus are keen on Radu Drăgușin."))
        rumours = {a.item.title: a.rumours for a in result.alerts}
        assert rumours["Radu Drăgușin joins AC Milan"] == ()  # old news to the workers too
        assert [(r.from_club_id, r.to_club_id) for r in rumours["Juventus want Radu Drăgușin"]] == [
            ("club:ac-milan", "club:juventus")]

        status, _ = await cli(capsys, db, "undo", "1")
        assert status == 0
        await m.poll()  # the running bot picks the undo up
        result = await m.publish("/news", "Calciomercato",
                                 ("n3", "Napoli want Radu Drăgușin", "Napoli are keen on Radu Drăgușin."))
        assert [(r.from_club_id, r.to_club_id) for a in result.alerts for r in a.rumours] == [
            ("club:tottenham", "club:napoli")]
