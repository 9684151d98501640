"""Retention: old items go with their mentions; what still refers to them keeps them; the file stops growing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bot.app import open_app
from bot.config import Settings
from bot.models import FeedItem, Mention, NewItem
from bot.retention import Retention
from bot.storage import Storage
from bot.storage.db import to_db
from tests.conftest import SEEDS
from tests.feedserver import FeedServer

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=200)


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def store(storage: Storage, feed_id: int, key: str, fetched: datetime) -> int:
    item = FeedItem(uid=key, title=f"Milan want Drăgușin ({key})", summary="", link=f"https://n.example/{key}",
                    published=fetched)
    mention = Mention("player:radu-dragusin", "Drăgușin", 0, 8)
    [stored] = await storage.items.insert(feed_id, [NewItem(item, f"link:{key}", False, (mention,))],
                                          fetched_at=fetched)
    return stored.id


async def story(storage: Storage, story_id: int, head: int, last: datetime, *reports: tuple[int, datetime]) -> None:
    await storage.db.execute(
        "INSERT INTO stories (id, player_id, to_club_id, stage, head_item_id, first_at, last_at) "
        "VALUES (?, 'player:radu-dragusin', 'club:ac-milan', 'talks', ?, ?, ?)",
        (story_id, head, to_db(reports[0][1]), to_db(last)),
    )
    for item_id, published in reports:
        await storage.db.execute(
            "INSERT INTO reports (story_id, item_id, outlet, stage, published_at) VALUES (?, ?, 'Outlet', 'talks', ?)",
            (story_id, item_id, to_db(published)),
        )


async def outbox(storage: Storage, key: str, item_id: int, status: str) -> None:
    await storage.db.execute(
        "INSERT INTO outbox (alert_key, target_kind, target_id, guild_id, item_id, status, next_attempt_at, "
        "created_at, updated_at) VALUES (?, 'channel', 1, 1, ?, ?, ?, ?, ?)",
        (key, item_id, status, to_db(OLD), to_db(OLD), to_db(OLD)),
    )


async def test_old_items_go_unless_something_still_needs_them(storage: Storage) -> None:
    """Plain old items and a finished old story go (mentions, alert history too), and so does an old report
    of a story still being reported; that story's old head, an old item with a pending delivery and the
    newest item stay."""
    feed = await storage.feeds.add("https://n.example/rss", now=OLD)
    plain = await store(storage, feed.id, "plain", OLD)
    finished_head = await store(storage, feed.id, "finished", OLD)
    live_head = await store(storage, feed.id, "live-head", OLD)
    live_old_report = await store(storage, feed.id, "live-old-report", OLD)
    queued = await store(storage, feed.id, "queued", OLD)
    recent = await store(storage, feed.id, "recent", NOW - timedelta(days=1))
    newest_but_old = await store(storage, feed.id, "newest", OLD)  # the highest id, however old
    await story(storage, 1, finished_head, OLD, (finished_head, OLD))
    await story(storage, 2, live_head, NOW - timedelta(days=1), (live_head, OLD), (live_old_report, OLD),
                (recent, NOW - timedelta(days=1)))
    await storage.db.execute("INSERT INTO alert_stories VALUES ('story:1:talks', 'story:1:talks')")
    await storage.db.execute("INSERT INTO alert_stories VALUES ('story:2:talks', 'story:2:talks')")
    await outbox(storage, "story:1:talks", finished_head, "sent")
    await outbox(storage, "item:queued", queued, "pending")

    pruned = await Retention(storage, now=lambda: NOW, days=180).prune()

    remaining = {r[0] for r in await storage.db.fetchall("SELECT id FROM items")}
    assert remaining == {live_head, queued, recent, newest_but_old}
    assert (pruned.items, pruned.stories, pruned.mentions, pruned.alert_rows) == (3, 1, 3, 1)
    assert {r[0] for r in await storage.db.fetchall("SELECT item_id FROM mentions")} == remaining
    assert [r[0] for r in await storage.db.fetchall("SELECT id FROM stories")] == [2]
    assert {r[0] for r in await storage.db.fetchall("SELECT item_id FROM reports")} == {live_head, recent}
    assert [r[0] for r in await storage.db.fetchall("SELECT story_key FROM alert_stories")] == ["story:2:talks"]
    assert [r[0] for r in await storage.db.fetchall("SELECT alert_key FROM outbox")] == ["item:queued"]
    assert plain not in remaining
    # A feed still carrying a pruned article does not bring it back as news.
    known = await storage.items.known(feed.id, ["plain"], ["link:plain"])
    assert "link:plain" in known


async def test_pruned_keys_are_forgotten_one_period_later(storage: Storage) -> None:
    """The remembered keys of pruned items go too, so they cannot pile up."""
    feed = await storage.feeds.add("https://n.example/rss", now=OLD)
    for n in range(3):
        await store(storage, feed.id, f"old-{n}", OLD)
    await store(storage, feed.id, "newest", NOW)
    clock = Clock(NOW)
    retention = Retention(storage, now=clock, days=30)
    first = await retention.prune()
    clock.at += timedelta(days=31)
    second = await retention.prune()
    assert (first.items, first.keys_forgotten) == (3, 0)
    assert (second.items, second.keys_forgotten) == (0, 3)
    assert await storage.items.known(feed.id, [], ["link:old-0"]) == set()


def rss(day: int, per_day: int) -> str:
    published = format_datetime(NOW + timedelta(days=day))
    clubs = ("AC Milan", "Inter", "Napoli", "Roma", "Juventus")
    items = "".join(
        f"<item><title>{clubs[n % 5]} in talks over Radu Drăgușin, day {day} report {n}</title>"
        f"<link>https://n.example/{day}/{n}</link><pubDate>{published}</pubDate>"
        f"<description>{clubs[(n + 1) % 5]} also want Drăgușin; {'talks ' * 40}</description></item>"
        for n in range(per_day)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Daily</title>{items}</channel></rss>"


async def test_the_file_stops_growing_in_steady_state(tmp_path: Path) -> None:
    """Thirty days of polls with a frozen clock and a 3-day retention: after the first days the item count
    and the file's page count stay flat (freed pages are reused), while without pruning they keep growing."""
    path = tmp_path / "steady.sqlite3"
    settings = Settings(db_path=path, seeds_dir=SEEDS, allow_private_feeds=True)
    clock = Clock(NOW)
    app = await open_app(settings, now=NOW, add_default_feeds=False)
    pages, items = [], []
    try:
        retention = Retention(app.storage, now=clock, days=3)
        async with FeedServer() as server:
            await app.storage.feeds.add(server.url("/daily"), now=NOW)
            for day in range(30):
                clock.at = NOW + timedelta(days=day)
                server.add("/daily", rss(day, per_day=15))
                await app.ingestor.poll(await app.storage.feeds.all(), clock.at)
                await retention.prune()
                pages.append(int((await app.storage.db.fetchone("PRAGMA page_count"))[0]))
                items.append(await app.storage.items.count())
    finally:
        await app.close()
    # Today's items and the 3 days before, plus the first item of each story still reported every day
    # (a story goes with its first item; older reports of it do go).
    assert items[:4] == [15, 30, 45, 60] and set(items[4:]) == {items[4]} and 60 < items[4] <= 65
    assert max(pages[10:]) == pages[10], pages  # not one page more from day 10 to day 30
    assert pages[3] > pages[0]  # it did grow while filling the retention window
