"""The alert pipeline's recovery: items stored but not yet planned are planned on a later tick."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.catalogue import Catalogue, Matcher
from bot.config import Settings
from bot.services import Services, build_services
from tests.conftest import SEEDS
from tests.e2e.helpers import rss
from tests.feedserver import FeedServer

T0 = datetime.now(UTC).replace(microsecond=0)  # items must be young enough to alert
LATER = T0 + timedelta(minutes=10)
OLD = ("old", "Weekend fixtures preview", "Nothing about transfers.", T0 - timedelta(days=1))
TALKS = ("talks", "AC Milan in talks with Tottenham for Radu Drăgușin",
         "AC Milan are in talks with Tottenham over a loan for Radu Drăgușin, according to Calciomercato.",
         T0 + timedelta(minutes=5))
SERVERS = 300  # enough outbox rows to need new database pages


@pytest.fixture
async def app(tmp_path: Path, catalogue: Catalogue, matcher: Matcher) -> AsyncIterator[App]:
    settings = Settings(db_path=tmp_path / "m.sqlite3", seeds_dir=SEEDS, allow_private_feeds=True)
    opened = await open_app(settings, now=T0, add_default_feeds=False, catalogue=catalogue, matcher=matcher)
    yield opened
    await opened.close()


async def servers_following_dragusin(services: Services) -> None:
    for guild in range(1, SERVERS + 1):
        await services.set_alert_channel(guild_id=guild, channel_id=1000 + guild)
        await services.follow(guild_id=guild, user_id=guild, query="dragusin")


async def test_alerts_a_full_disk_kept_out_of_the_outbox_are_queued_on_the_next_tick(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """Ingest stored the item, the outbox could not grow: one log line; after space returns, every server gets it once."""
    services, pipeline = build_services(app, now=lambda: LATER)
    async with FeedServer() as server:
        server.add("/rss", rss(OLD))
        await services.feed_list.add(server.url("/rss"), now=T0)
        await pipeline.poll(T0)  # primed
        await servers_following_dragusin(services)
        server.add("/rss", rss(OLD, TALKS))
        await app.ingestor.poll_due(LATER)  # stored; the tick that would plan it is what fails below

    pages = await app.storage.db.fetchone("PRAGMA page_count")
    await app.storage.db.fetchone(f"PRAGMA max_page_count = {pages[0]}")
    caplog.clear()
    _, alerts, enqueued = await pipeline.poll(LATER)
    assert len(alerts) == 1 and enqueued.added == 0
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "bot.alerts.pipeline"
              and "not queued" in r.getMessage()]
    assert line.exc_info is None and "retrying next tick" in line.getMessage()
    assert await app.storage.outbox.pending_count() == 0

    await app.storage.db.fetchone("PRAGMA max_page_count = 1073741823")
    _, _, enqueued = await pipeline.poll(LATER + timedelta(minutes=1))
    assert enqueued.added == SERVERS and await app.storage.outbox.pending_count() == SERVERS
    _, _, again = await pipeline.poll(LATER + timedelta(minutes=2))
    assert again.added == 0 and await app.storage.outbox.pending_count() == SERVERS  # planned once


async def test_a_pipeline_poll_plans_once_per_story_and_server(app: App) -> None:
    """Two reports of one story in one poll: one alert per server, carrying the newest item for an edit later."""
    services, pipeline = build_services(app, now=lambda: LATER)
    async with FeedServer() as server:
        server.add("/a", rss(OLD, title="Calciomercato"))
        server.add("/b", rss(OLD, title="Sky Sports"))
        for path in ("/a", "/b"):
            await services.feed_list.add(server.url(path), now=T0)
        await pipeline.poll(T0)
        await services.set_alert_channel(guild_id=1, channel_id=11)
        await services.follow(guild_id=1, user_id=5, query="dragusin")
        server.add("/a", rss(OLD, TALKS, title="Calciomercato"))
        sky = ("sky", "Milan in talks over Drăgușin", "AC Milan are in talks with Tottenham over Radu Drăgușin.",
               T0 + timedelta(minutes=6))
        server.add("/b", rss(OLD, sky, title="Sky Sports"))
        _, alerts, enqueued = await pipeline.poll(LATER)
    assert len(alerts) == 2 and enqueued.added == 1
    [row] = await app.storage.outbox.due(LATER + timedelta(minutes=1))
    assert row.alert_key.story_id is not None and str(row.alert_key).endswith(":talks")


async def test_an_idle_tick_writes_nothing(app: App) -> None:
    """No feed due and nothing stored since the last plan: the tick reads, and commits no write."""
    _, pipeline = build_services(app, now=lambda: T0)
    await pipeline.poll(T0)  # the first tick records the watermark
    before = app.storage.db._conn.total_changes
    _, alerts, enqueued = await pipeline.poll(T0 + timedelta(seconds=30))
    assert alerts == [] and enqueued.added == 0
    assert app.storage.db._conn.total_changes == before
