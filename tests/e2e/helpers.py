"""Run the real Mercato bot (MercatoBot, real SQLite, real feeds over HTTP) against the fake Discord.

``async with start_mercato(fake, tmp_path) as m:`` opens a fresh database, starts the bot through
``run_bot`` (which fails the test on any ``discord.*`` ERROR log), waits for its start-up poll tick,
and yields a :class:`Mercato` with the frozen :class:`Clock`, the bot and a :class:`FeedServer`.

The catalogue and the matcher are loaded once per session (they are pure and take ~0.6 s to
build), and each test's database starts as a copy of a template where the catalogue is already
synced: ``open_app`` itself still runs for every bot.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import bot.app
from bot.app import open_app
from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.config import Settings
from bot.models import AlertKey, OutboxRow, TargetKind
from bot.scheduling import TickReport
from cogs.client import MercatoBot
from tests.fakediscord import BotRun, FakeDiscord, run_bot
from tests.feedserver import FeedServer

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
SEED_ARTICLE = REPO / "tests" / "data" / "seed-article.txt"
# The seed article's day; the January 2026 windows close on Monday 2 February, 4+ days later.
START = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
IN_DEADLINE = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)  # 55 h before the Premier League's close

_cache: dict[str, Any] = {}


class Clock:
    """A frozen, movable clock handed to the bot as ``now``."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def _shared() -> tuple[Catalogue, Matcher]:
    if "catalogue" not in _cache:
        catalogue = load_catalogue(SEEDS)
        _cache["catalogue"] = catalogue
        _cache["matcher"] = Matcher(catalogue)
    return _cache["catalogue"], _cache["matcher"]


async def _template() -> Path:
    """A database with migrations applied and the catalogue synced, made once per session."""
    if "template" not in _cache:
        folder = Path(tempfile.mkdtemp(prefix="mercato-e2e-"))
        path = folder / "template.sqlite3"
        app = await _open(Settings(db_path=path, seeds_dir=SEEDS), START)
        await app.close()
        _cache["template"] = path
    return Path(_cache["template"])


async def _open(settings: Settings, now: datetime) -> bot.app.App:
    catalogue, matcher = _shared()
    # Reuse the session's catalogue and matcher instead of rebuilding identical ones per test.
    return await open_app(settings, now=now, add_default_feeds=False, catalogue=catalogue, matcher=matcher)


def rss(*items: tuple[str, str, str, datetime], title: str = "Calciomercato") -> str:
    """An RSS 2.0 feed: items are (guid, title, summary, published)."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>https://news.example/{guid}</link>"
        f"<guid isPermaLink='false'>{guid}</guid><pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
        f"<description>{escape(summary)}</description></item>"
        for guid, t, summary, when in items
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{entries}</channel></rss>"


def seed_item(guid: str = "seed", published: datetime = START) -> tuple[str, str, str, datetime]:
    """The seed article as a feed item (its first line is the title)."""
    title, _, body = SEED_ARTICLE.read_text(encoding="utf-8").partition("\n")
    return guid, title.strip() or "Milan meet Drăgușin's agents", body.strip(), published


OLD_ITEM = ("old", "Weekend fixtures preview", "Nothing about transfers.", START - timedelta(days=1))


@dataclass
class Mercato:
    """A running bot and what a test drives it with."""

    fake: FakeDiscord
    bot: MercatoBot
    run: BotRun
    clock: Clock
    feeds: FeedServer
    settings: Settings

    @property
    def storage(self) -> Any:
        return self.bot.app.storage

    def wake_delivery(self) -> None:
        """Make the delivery task drain now (after moving the clock past a retry time)."""
        # Not isinstance(cog, Delivery): load_extension executes the module afresh, so the class differs.
        cog = self.bot.get_cog("Delivery")
        assert cog is not None
        cog.wake()  # type: ignore[attr-defined]

    async def tick(self) -> TickReport:
        """One poll tick, as the scheduler would run it."""
        return await self.bot.pipeline.poller.tick()

    async def command(self, name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Invoke a slash command and wait for its reply (the followup, if it deferred).

        A handler that crashes after replying is caught by ``run_bot``'s check of discord.* ERROR logs.
        """
        record = await self.fake.invoke(name, options or {}, **kwargs)
        if record.callback_type == 5:  # deferred: the answer is the first followup
            await self.fake.wait_for_response(record, followups=1)
        return record

    async def primed_feed(self, *items: tuple[str, str, str, datetime], path: str = "/rss",
                          guild_id: int = 0) -> str:
        """Serve a feed, add it, and poll it once: what it carries now is stored and never alerted."""
        self.feeds.add(path, rss(*items))
        url = self.feeds.url(path)
        await self.storage.feeds.add(url, now=self.clock(), guild_id=guild_id)
        await self.tick()
        return url

    async def publish(self, *items: tuple[str, str, str, datetime], path: str = "/rss") -> TickReport:
        """Replace the feed's items, let the poll interval pass, and tick."""
        self.feeds.add(path, rss(*items))
        self.clock.advance(seconds=self.settings.poll_interval)
        return await self.tick()

    async def until(self, predicate: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
        """Poll an async condition (database state, which has no event to wait on) until it is truthy."""
        async with asyncio.timeout(timeout):
            while not (result := await predicate()):
                await asyncio.sleep(0.005)
        return result

    async def row(self, key: str, kind: str, target: int, status: str = "sent") -> OutboxRow:
        """Wait until the outbox row of (key, target) reaches ``status``; return it."""
        async def check() -> OutboxRow | None:
            row = await self.storage.outbox.find(AlertKey.parse(key), TargetKind(kind), target)
            return row if row is not None and row.status == status else None

        return await self.until(check)

    async def channel_alerts(self, channel_id: int, count: int = 1) -> list[dict[str, Any]]:
        """Wait until ``count`` messages were posted in a channel; return them."""
        await self.fake.wait_for(lambda: len(self.fake.channel_messages(channel_id)) >= count)
        return self.fake.channel_messages(channel_id)


@asynccontextmanager
async def start_mercato(
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    db: Path | None = None,
    allow_errors: bool = False,
    bot_kwargs: dict[str, Any] | None = None,
    **settings_overrides: Any,
) -> AsyncIterator[Mercato]:
    """Start Mercato against ``fake`` on a fresh copy of the template database (or on ``db``)."""
    clock = clock or Clock(START)
    path = db or tmp_path / "mercato.sqlite3"
    if not path.exists():
        shutil.copy(await _template(), path)
    settings = replace(Settings(db_path=path, seeds_dir=SEEDS, allow_private_feeds=True), **settings_overrides)
    app = await _open(settings, clock())
    try:
        async with FeedServer() as feeds:
            mercato_bot = MercatoBot(app, now=clock, sync=True, guild_ready_timeout=0.05, **(bot_kwargs or {}))
            async with run_bot(mercato_bot, allow_errors=allow_errors) as run:
                await mercato_bot.pipeline.poller.wait_for_ticks(1)  # the start-up tick
                yield Mercato(fake, mercato_bot, run, clock, feeds, settings)
    finally:
        await app.close()
