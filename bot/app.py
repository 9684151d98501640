"""Build every long-lived service once, from settings, and close them in reverse order."""

from __future__ import annotations

import asyncio
import logging
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.catalogue.learner import MoveLearner
from bot.catalogue.moves import MoveRules, load_move_rules
from bot.catalogue.operator import load_common_words, load_database_layer
from bot.catalogue.tracker import ProvisionalTracker
from bot.config import Settings
from bot.feeds.fetch import FeedFetcher, user_agent
from bot.ingest import Ingestor, PollPolicy
from bot.language.pack import load_languages
from bot.metrics import Metrics
from bot.reading import ItemReader, ProcessReading, ThreadReading
from bot.sources import SourceDirectory, load_sources
from bot.storage import Storage

log = logging.getLogger(__name__)
_DEFAULT_FEEDS_ADDED = "default_feeds_added"


@dataclass(slots=True)
class App:
    """The services of one Mercato process, passed down to whatever needs them."""

    settings: Settings
    storage: Storage
    catalogue: Catalogue
    matcher: Matcher
    fetcher: FeedFetcher
    ingestor: Ingestor
    sources: SourceDirectory
    metrics: Metrics = field(default_factory=Metrics)  # this process's Prometheus registry

    async def close(self) -> None:
        """Stop the reading processes, close the HTTP session, then the database."""
        await self.ingestor.reading.close()
        await self.fetcher.close()
        await self.storage.close()


async def open_app(
    settings: Settings,
    *,
    now: datetime,
    add_default_feeds: bool = True,
    catalogue: Catalogue | None = None,
    matcher: Matcher | None = None,
    sources: SourceDirectory | None = None,
) -> App:
    """Load the catalogue, open and migrate the database, sync seeds, and build the pipeline.

    A prebuilt ``catalogue`` (with its ``matcher``) and ``sources`` are reused — tests build them once
    per session; the matcher is rebuilt only if the database adds entities. The app gets its own copy
    of a prebuilt catalogue (the matcher rebound to it), since moves learnt while running change it in place.
    """
    given = catalogue
    base = catalogue if catalogue is not None else await asyncio.to_thread(load_catalogue, settings.seeds_dir)
    move_rules = await asyncio.to_thread(_move_rules, settings.seeds_dir / "moves.toml")
    catalogue = base
    for problem in catalogue.problems:
        log.warning("seed problem: %s", problem)
    # Every seed file is read before the database is opened: a seed error then leaves nothing open.
    if sources is None:
        sources = await asyncio.to_thread(load_sources, settings.seeds_dir / "sources.toml")
    await asyncio.to_thread(load_languages)  # every seeds/wordings/<lang>: a broken one stops us here
    storage = await Storage.open(settings.db_path, busy_timeout=settings.db_busy_timeout)
    try:
        await storage.catalogue.sync(catalogue)
        # Operator-added and provisional players live in the database only: merge them so the matcher knows them.
        words = load_common_words(settings.seeds_dir / "common_words.txt")
        catalogue = await load_database_layer(storage, catalogue, common_words=words, now=now)
        if add_default_feeds and await storage.meta.get(_DEFAULT_FEEDS_ADDED) is None:
            for url in default_feed_urls(settings.seeds_dir / "feeds.toml"):
                await storage.feeds.add(url, now=now)
            await storage.meta.set(_DEFAULT_FEEDS_ADDED, now.isoformat())
    except BaseException:
        await storage.close()
        raise
    if matcher is None or catalogue is not base:
        matcher = Matcher(catalogue)
    if catalogue is given:
        # Moves learnt while running change the catalogue in place: never change a caller's (tests share one).
        catalogue = catalogue.copy()
        matcher = matcher.over(catalogue)
    fetcher = FeedFetcher(allow_private=settings.allow_private_feeds, user_agent=user_agent(settings.contact))
    policy = PollPolicy(
        interval=timedelta(seconds=settings.poll_interval), max_item_age=timedelta(hours=settings.max_item_age_hours)
    )
    tracker = ProvisionalTracker(storage.entities, catalogue, sources=sources)
    moves = None
    if move_rules is not None:  # issue 10: completed moves in the news update the catalogue
        moves = MoveLearner(storage, catalogue, sources, move_rules, mode=settings.moves_mode)
        await moves.sync()  # from here on, an operator's approve/undo is reloaded at the next poll
    reader = ItemReader(matcher, sources, max_item_age=policy.max_item_age, provisional=True)
    # With MERCATO_READ_WORKERS, worker processes read (bot.reading): the bot starts them while it connects.
    reading = ProcessReading(reader, settings.read_workers) if settings.read_workers else ThreadReading(reader)
    ingestor = Ingestor(storage, fetcher, matcher, policy, sources=sources, provisional=tracker, moves=moves,
                        reading=reading)
    return App(settings, storage, catalogue, matcher, fetcher, ingestor, sources)


def _move_rules(path: Path) -> MoveRules | None:
    """The rule of ``seeds/moves.toml`` (ConfigError if it is broken); None without the file."""
    if not path.is_file():
        log.warning("%s not found: completed moves in the news will not update the catalogue", path)
        return None
    return load_move_rules(path)


def default_feed_urls(path: Path) -> list[str]:
    """Return the feed URLs listed in ``seeds/feeds.toml`` (none if the file is missing)."""
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [str(feed["url"]) for feed in data.get("feed", []) if feed.get("url")]
