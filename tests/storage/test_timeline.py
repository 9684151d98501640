"""The read commands' queries: newest first by publication time (not storage order), one row per item,
only what one server may see, and the same for mentions written by any path (ingest, provisional sightings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import FeedItem, Mention, NewItem, Sighting
from bot.storage import Storage

T0 = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
DRAGUSIN = "player:radu-dragusin"
MILAN = "club:ac-milan"


async def store(storage: Storage, feed_id: int, uid: str, hours: float, *mentions: tuple[str, str]) -> int:
    """Store one item published ``hours`` after T0 mentioning (entity, as written) pairs; return its id."""
    item = FeedItem(uid, f"Item {uid}", "", f"https://x.example/{uid}", T0 + timedelta(hours=hours))
    spans = tuple(Mention(entity, 0, len(text), text) for entity, text in mentions)
    [stored] = await storage.items.insert(feed_id, [NewItem(item, f"link:{uid}", False, spans)], fetched_at=T0)
    return stored.id


async def test_latest_about_is_newest_published_first_once_per_item_and_per_server(storage: Storage) -> None:
    """Stored out of order, named twice, one from another server's feed: newest published first, each once."""
    shared = (await storage.feeds.add("https://shared.example/rss", now=T0)).id
    other = (await storage.feeds.add("https://other.example/rss", now=T0, guild_id=2)).id
    late = await store(storage, shared, "a", 1, (DRAGUSIN, "Drăgușin"))
    early = await store(storage, shared, "b", -5, (DRAGUSIN, "Dragusin"), (DRAGUSIN, "Radu Drăgușin"))
    newest = await store(storage, shared, "c", 3, (DRAGUSIN, "Drăgușin"), (MILAN, "AC Milan"))
    hidden = await store(storage, other, "d", 4, (DRAGUSIN, "Drăgușin"))
    await store(storage, shared, "e", 5, (MILAN, "Milan"))

    about = await storage.timeline.latest_about(DRAGUSIN, guild_id=1, limit=10)
    assert [i.id for i in about] == [newest, late, early]
    assert [i.id for i in await storage.timeline.latest_about(DRAGUSIN, guild_id=2, limit=2)] == [hidden, newest]
    assert [i.feed_title for i in about] == [None, None, None]  # joined with the feed (no title polled yet)


async def test_latest_of_each_gives_each_entitys_newest_visible_item(storage: Storage) -> None:
    """/following's query: one item per entity, the newest the server may see; none for an entity never named."""
    shared = (await storage.feeds.add("https://shared.example/rss", now=T0)).id
    other = (await storage.feeds.add("https://other.example/rss", now=T0, guild_id=2)).id
    old = await store(storage, shared, "a", 0, (DRAGUSIN, "Drăgușin"), (MILAN, "Milan"))
    new = await store(storage, shared, "b", 2, (MILAN, "Milan"))
    await store(storage, other, "c", 9, (DRAGUSIN, "Drăgușin"))

    newest = await storage.timeline.latest_of_each([DRAGUSIN, MILAN, "club:napoli"], guild_id=1)
    assert {entity: item.id for entity, item in newest.items()} == {DRAGUSIN: old, MILAN: new}
    assert await storage.timeline.latest_of_each([], guild_id=1) == {}


async def test_latest_is_newest_published_first_and_only_matched_items(storage: Storage) -> None:
    """/latest: items that name someone, newest published first; with ``matched_only=False``, every item."""
    feed = (await storage.feeds.add("https://shared.example/rss", now=T0)).id
    named = await store(storage, feed, "a", 2, (MILAN, "Milan"))
    unnamed = await store(storage, feed, "b", 3)
    older = await store(storage, feed, "c", -1, (MILAN, "Milan"))
    assert [i.id for i in await storage.timeline.latest(guild_id=1)] == [named, older]
    assert [i.id for i in await storage.timeline.latest(guild_id=1, matched_only=False)] == [unnamed, named, older]


async def test_a_provisional_players_mentions_are_ordered_like_any_other(storage: Storage) -> None:
    """A mention written by the provisional-sighting path gets its item's publication time too."""
    feed = (await storage.feeds.add("https://shared.example/rss", now=T0)).id
    first = await store(storage, feed, "a", 5)
    second = await store(storage, feed, "b", 1)
    sighting = Sighting("player:provisional-joao-neves-silva", "João Neves Silva", MILAN, "AC Milan sign João Neves Silva")
    for item_id in (first, second):
        await storage.entities.record_sightings(item_id, feed, [sighting], now=T0)
    about = await storage.timeline.latest_about(sighting.entity_id, guild_id=1, limit=5)
    assert [i.id for i in about] == [first, second]
