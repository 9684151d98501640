"""Who wants a new item: the follows it concerns, grouped by what they follow.

The question is answered by one indexed query in storage (entity follows join the item's mentions;
term follows are matched on the folded text). Here the term hits are checked on word boundaries,
and items from a server's own extra feed go only to that server's followers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.catalogue import fold
from bot.models import Feed, Followers, FollowHit, StoredItem
from bot.storage import GLOBAL, Storage


def item_folded_text(item: StoredItem) -> str:
    """The folded text that term follows are matched against."""
    return _folded(item.title, item.summary)


@lru_cache(maxsize=512)
def _folded(title: str, summary: str) -> str:
    # Stored items never change: /latest <term> and /following scan the same few hundred newest items
    # again and again, and folding is the costly part of matching a term (tens of microseconds each).
    return fold(f"{title}\n{summary}").text


def term_matches(term_norm: str, folded_text: str) -> bool:
    """True if the folded term occurs in the folded text as whole words."""
    return re.search(rf"(?<![a-z0-9]){re.escape(term_norm)}(?![a-z0-9])", folded_text) is not None


async def concerned_follows(storage: Storage, item: StoredItem, feed: Feed) -> list[Followers]:
    """Return the followers an item concerns, respecting which servers read its feed."""
    folded = item_folded_text(item)
    concerned = []
    for followers in await storage.follows.concerned(item.id, folded):
        if followers.term is not None and not term_matches(fold(followers.term).text.strip(), folded):
            continue
        if GLOBAL not in feed.guild_ids:  # a server's own feed: only its followers
            followers = followers.within(feed.guild_ids)
        if followers.user_ids:
            concerned.append(followers)
    return concerned



def visible_to(feed: Feed, guild_id: int) -> bool:
    """Items of the operator's feeds reach every server; a server's extra feed reaches only that server."""
    return GLOBAL in feed.guild_ids or guild_id in feed.guild_ids


async def concerned_pings(storage: Storage, item: StoredItem, feed: Feed) -> set[int]:
    """Servers with a role-ping rule naming a club or player the item mentions, among those that read its feed.

    Whether a rule fires (stage, tier) is planning's pure decision (bot.alerts.filters).
    """
    return {g for g in await storage.pings.concerned_guilds(item.id) if visible_to(feed, g)}


def by_server(concerned: Iterable[Followers]) -> dict[int, list[FollowHit]]:
    """The follows of ``concerned`` one by one, by server (explaining one alert; routing never needs them so)."""
    hits: dict[int, list[FollowHit]] = {}
    for f in concerned:
        for guild_id, user_id in zip(f.guild_ids, f.user_ids, strict=True):
            hits.setdefault(guild_id, []).append(FollowHit(guild_id, user_id, f.entity_id, f.term, f.min_stage,
                                                           f.max_tier))
    return hits
