"""End-to-end ingest: HTTP server (another process) -> conditional GET -> parse -> match -> rumours -> SQLite.

Baseline, in the same run: feedparser alone on the same bodies (the pipeline's single most expensive
step), so the ratio says what share of raw parsing speed the whole pipeline keeps.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import feedparser

from bench.feedserver import feeds_served_elsewhere
from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.config import auto_read_workers
from bot.feeds.fetch import FeedFetcher
from bot.ingest import Ingestor, PollPolicy
from bot.language.pack import load_languages
from bot.models import Feed
from bot.reading import Batch, ItemReader, ProcessReading, ThreadReading
from bot.sources import load_sources
from bot.storage import Storage

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
_WARM_FEED = Feed(0, "http://127.0.0.1/warm", None, None, None, None, 0, None, NOW, False, True)
TEMPLATES = [
    "{club} in talks with {player}'s representatives over a January move",
    "{player} wanted by {club} as the deadline approaches, according to Sky Sports",
    "{club} submit €{fee}m bid for {player}",
    "{player} undergoes medical ahead of {club} loan switch",
    "{club} weigh up summer move for {player}",
]
BODY = (
    "<p>{club} have stepped up their interest in {player} ({from_club}), with sources close to the club "
    "describing talks as constructive. A loan with an option to buy is one route being explored, while "
    "{from_club} would prefer a permanent sale worth around €{fee}m.</p><p>(Photo by Staff/Getty Images)</p>"
)


def make_feed(n: int, items: int, rng: random.Random, players: list[tuple[str, str]], clubs: list[str]) -> bytes:
    entries = []
    for i in range(items):
        player, from_club = rng.choice(players)
        values = {"player": player, "club": rng.choice(clubs), "from_club": from_club, "fee": rng.randint(5, 90)}
        published = format_datetime(NOW - timedelta(minutes=rng.randint(1, 600)))
        entries.append(
            f"<item><title>{escape(rng.choice(TEMPLATES).format(**values))}</title>"
            f"<link>https://bench-{n}.example/news/{i}?utm_source=rss</link><guid>bench-{n}-{i}</guid>"
            f"<pubDate>{published}</pubDate><description>{escape(BODY.format(**values))}</description></item>"
        )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Bench feed {n}</title>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


async def _ingest(
    bodies: dict[str, bytes], port: int, catalogue: Catalogue, *, rumours: bool
) -> tuple[float, int, int, int]:
    """Poll every bench feed once into a fresh database; return (seconds, items, stories, feed errors)."""
    with tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(Path(tmp) / "bench.sqlite3")
        try:
            await storage.catalogue.sync(catalogue)
            for path in bodies:
                await storage.feeds.add(f"http://127.0.0.1:{port}{path}", now=NOW)
            sources = load_sources(SEEDS / "sources.toml") if rumours else None
            matcher, policy = Matcher(catalogue), PollPolicy()
            load_languages()  # as open_app does at start-up, before any poll
            # As the bot reads (open_app): in worker processes, one per CPU (MERCATO_READ_WORKERS=auto),
            # started before the poll, as the bot starts them while it connects to Discord.
            reader = ItemReader(matcher, sources, max_item_age=policy.max_item_age, provisional=rumours)
            workers = auto_read_workers()
            reading = ProcessReading(reader, workers) if workers else ThreadReading(reader)
            try:
                reading.begin()
                await reading.read(Batch(_WARM_FEED, None, [], NOW))
                gc.freeze()  # as the bot does once started (cogs/client.py): its long-lived heap is not collected
                async with FeedFetcher(allow_private=True, limit_per_host=8) as fetcher:
                    ingestor = Ingestor(storage, fetcher, matcher, policy, sources=sources, reading=reading)
                    start = time.perf_counter()
                    result = await ingestor.poll_due(NOW)
                    elapsed = time.perf_counter() - start
                gc.unfreeze()
            finally:
                await reading.close()
            stored = await storage.items.count()
            stories = len(await storage.stories.since(NOW - timedelta(days=2), limit=100_000))
        finally:
            await storage.close()
    return elapsed, stored, stories, sum(r.outcome == "error" for r in result.reports)


def bench_feeds(catalogue: Catalogue, feeds: int, per_feed: int) -> dict[str, bytes]:
    """``feeds`` generated feeds of ``per_feed`` items with catalogue names, by path (``/feed-N.xml``)."""
    rng = random.Random(5)
    players = [(p.name, club.name) for p in catalogue.players() if (club := catalogue.club_of(p.id)) is not None]
    clubs = [c.name for c in catalogue.clubs() if c.league in ("Premier League", "Serie A", "LaLiga")]
    return {f"/feed-{n}.xml": make_feed(n, per_feed, rng, players, clubs) for n in range(feeds)}


async def run(*, quick: bool = False) -> None:
    """Print items/s for the core pipeline, the pipeline with rumours and stories, and feedparser alone."""
    feeds, per_feed = (20, 50) if quick else (80, 50)
    catalogue = load_catalogue(SEEDS)
    bodies = bench_feeds(catalogue, feeds, per_feed)
    total = feeds * per_feed
    async with feeds_served_elsewhere(bodies) as port:  # the server's CPU is not the pipeline's
        core = await _ingest(bodies, port, catalogue, rumours=False)
        full = await _ingest(bodies, port, catalogue, rumours=True)
    start = time.perf_counter()
    for body in bodies.values():
        feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    parse_only = total / (time.perf_counter() - start)
    print(f"{feeds} feeds x {per_feed} items (~400 characters each) from 127.0.0.1, one poll cycle into fresh SQLite")
    for label, (elapsed, stored, stories, errors) in (
        ("core: fetch, parse, match, store", core),
        ("with rumours and stories", full),
    ):
        rate = total / elapsed
        print(
            f"  {label:34s}: {rate:8,.0f} items/s  = {rate / parse_only:5.2f}x baseline "
            f"({stored:,} items, {stories:,} stories, {errors} errors, {elapsed:.2f} s)"
        )
    print(f"  {'feedparser alone (baseline)':34s}: {parse_only:8,.0f} items/s")
    print("  target: >= 1,000 items/s end to end")
