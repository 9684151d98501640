"""Follows: limits, duplicates, per-server isolation, and the routing query."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.alerts.routing import concerned_follows
from bot.catalogue import Catalogue
from bot.errors import InvalidInput, LimitReached, NotFound
from bot.following import Following
from bot.models import FeedItem, Followers, Mention, NewItem
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
async def following(storage: Storage, catalogue: Catalogue) -> Following:
    await storage.catalogue.sync(catalogue)
    return Following(storage, catalogue, limit=3)


async def test_follow_resolves_names_and_diacritics(following: Following) -> None:
    """"dragusin" follows Radu Drăgușin; "milan" follows AC Milan; unknown text is a term."""
    target, added = await following.follow(guild_id=1, user_id=7, query="dragusin", now=NOW)
    assert (target.entity.name, added) == ("Radu Drăgușin", True)
    target, _ = await following.follow(guild_id=1, user_id=7, query="milan", now=NOW)
    assert target.entity.name == "AC Milan"
    target, _ = await following.follow(guild_id=1, user_id=7, query="Zorblax Wonderkid", now=NOW)
    assert (target.entity, target.term) == (None, "Zorblax Wonderkid")


async def test_follow_twice_is_not_an_error(following: Following) -> None:
    """Following the same thing again reports it was already followed."""
    await following.follow(guild_id=1, user_id=7, query="dragusin", now=NOW)
    _, added = await following.follow(guild_id=1, user_id=7, query="Drăgușin", now=NOW)
    assert added is False


async def test_follow_limit(following: Following) -> None:
    """The limit is per user per server, with a clear message."""
    for query in ("dragusin", "milan", "napoli"):
        await following.follow(guild_id=1, user_id=7, query=query, now=NOW)
    with pytest.raises(LimitReached, match="/unfollow"):
        await following.follow(guild_id=1, user_id=7, query="roma", now=NOW)
    await following.follow(guild_id=2, user_id=7, query="roma", now=NOW)  # another server: its own limit
    _, added = await following.follow(guild_id=1, user_id=7, query="napoli", now=NOW)  # already followed
    assert added is False


async def test_empty_and_ambiguous_queries_explain_what_to_do(following: Following) -> None:
    """Bad input gets a message that says what was wrong and what to do."""
    with pytest.raises(InvalidInput, match="Type a player or club"):
        await following.follow(guild_id=1, user_id=7, query="   ", now=NOW)
    with pytest.raises(InvalidInput, match="at most 100"):
        await following.follow(guild_id=1, user_id=7, query="x" * 101, now=NOW)


async def test_unfollow_and_isolation(following: Following) -> None:
    """Unfollow removes only the caller's follow in that server; unknown ones say how to list follows."""
    await following.follow(guild_id=1, user_id=7, query="dragusin", now=NOW)
    await following.follow(guild_id=2, user_id=7, query="dragusin", now=NOW)
    removed = await following.unfollow(guild_id=1, user_id=7, query="Dragusin")
    assert removed.entity.name == "Radu Drăgușin"
    assert [t.label for t in await following.of_user(guild_id=2, user_id=7)] == ["Radu Drăgușin"]
    assert await following.of_user(guild_id=1, user_id=7) == []
    with pytest.raises(NotFound, match="/following"):
        await following.unfollow(guild_id=1, user_id=7, query="dragusin")


async def test_routing_finds_followers_by_mention_and_term(storage: Storage, following: Following) -> None:
    """An item reaches followers of the entities it mentions and of terms it contains, by server."""
    feed = await storage.feeds.add("https://example.com/rss", now=NOW)
    await following.follow(guild_id=1, user_id=7, query="dragusin", now=NOW)
    await following.follow(guild_id=2, user_id=8, query="lengthy meeting", now=NOW)
    await following.follow(guild_id=3, user_id=9, query="napoli", now=NOW)
    item = FeedItem("guid:1", "Milan meet Drăgușin", "A lengthy meeting took place.", "https://x/1", NOW)
    mention = Mention("player:radu-dragusin", 11, 19, "Drăgușin")
    [stored] = await storage.items.insert(feed.id, [NewItem(item, "link:https://x/1", True, (mention,))], fetched_at=NOW)
    routed = await concerned_follows(storage, stored, feed)
    assert routed == [Followers("player:radu-dragusin", None, (1,), (7,)), Followers(None, "lengthy meeting", (2,), (8,))]


async def test_routing_reads_each_follow_once_grouped_by_what_is_followed(storage: Storage, following: Following) -> None:
    """Fans of a club in three servers, an item naming the club twice and a player: each follow once, by entity."""
    feed = await storage.feeds.add("https://example.com/rss", now=NOW)
    for guild, user in ((1, 7), (2, 7), (2, 8), (3, 9)):
        await following.follow(guild_id=guild, user_id=user, query="AC Milan", now=NOW)
    await following.follow(guild_id=2, user_id=8, query="dragusin", now=NOW)
    await following.follow(guild_id=3, user_id=9, query="napoli", now=NOW)
    item = FeedItem("guid:4", "AC Milan want Drăgușin", "The Rossoneri met his agent.", "https://x/4", NOW)
    mentions = (Mention("club:ac-milan", 0, 8, "AC Milan"), Mention("player:radu-dragusin", 14, 22, "Drăgușin"),
                Mention("club:ac-milan", 28, 37, "Rossoneri"))
    [stored] = await storage.items.insert(feed.id, [NewItem(item, "link:https://x/4", True, mentions)], fetched_at=NOW)
    routed = {f.entity_id: sorted(zip(f.guild_ids, f.user_ids, strict=True))
              for f in await concerned_follows(storage, stored, feed)}
    assert routed == {"club:ac-milan": [(1, 7), (2, 7), (2, 8), (3, 9)], "player:radu-dragusin": [(2, 8)]}


async def test_server_feed_items_reach_only_that_server(storage: Storage, following: Following) -> None:
    """An item from a server's extra feed is routed to that server only."""
    await storage.feeds.add("https://example.com/own", now=NOW, guild_id=1)
    feed = await storage.feeds.by_url("https://example.com/own")
    await following.follow(guild_id=1, user_id=7, query="dragusin", now=NOW)
    await following.follow(guild_id=2, user_id=8, query="dragusin", now=NOW)
    item = FeedItem("guid:2", "Drăgușin news", "", None, NOW)
    mention = Mention("player:radu-dragusin", 0, 8, "Drăgușin")
    [stored] = await storage.items.insert(feed.id, [NewItem(item, "feed:x:2", True, (mention,))], fetched_at=NOW)
    assert await concerned_follows(storage, stored, feed) == [Followers("player:radu-dragusin", None, (1,), (7,))]


async def test_term_follow_matches_whole_words_only(storage: Storage, following: Following) -> None:
    """A term follow "ake" does not fire on "make"."""
    feed = await storage.feeds.add("https://example.com/rss", now=NOW)
    await following.follow(guild_id=1, user_id=7, query="Zorblax", now=NOW)
    item = FeedItem("guid:3", "Zorblaxian tactics", "", None, NOW)
    [stored] = await storage.items.insert(feed.id, [NewItem(item, "feed:1:3", True, ())], fetched_at=NOW)
    assert await concerned_follows(storage, stored, feed) == []


async def test_following_a_provisional_player_promotes_him(storage: Storage, catalogue: Catalogue) -> None:
    """A follow is one of the two ways a provisional player becomes a regular one."""
    from bot.models import Alias, AliasKind, Entity, EntityKind

    await storage.catalogue.sync(catalogue)
    kid = Entity("player:zorblax-wonderkid", EntityKind.PLAYER, "Zorblax Wonderkid", provisional=True)
    await storage.entities.save_player(kid, [Alias("Zorblax Wonderkid", kid.id, AliasKind.STRONG)], source="provisional")
    merged = Catalogue.build([*catalogue.entities.values(), kid], [*catalogue.aliases, Alias("Zorblax Wonderkid", kid.id, AliasKind.STRONG)])
    target, added = await Following(storage, merged).follow(guild_id=1, user_id=7, query="zorblax wonderkid", now=NOW)
    assert added and target.entity == kid
    layer = await storage.entities.layer()
    assert [(s.entity.provisional, s.source) for s in layer.entities if s.entity.id == kid.id] == [(False, "learned")]
