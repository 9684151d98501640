"""Who wants a new item: the follows it concerns, grouped by server.

The question is answered by one indexed query in storage (entity follows join the item's mentions;
term follows are matched on the folded text). Here the term hits are checked on word boundaries,
and items from a server's own extra feed go only to that server.
"""

from __future__ import annotations

import re
from collections import defaultdict

from bot.catalogue import fold
from bot.models import Feed, FollowHit, StoredItem
from bot.storage import GLOBAL, Storage


def item_folded_text(item: StoredItem) -> str:
    """The folded text that term follows are matched against."""
    return fold(f"{item.title}\n{item.summary}").text


def term_matches(term_norm: str, folded_text: str) -> bool:
    """True if the folded term occurs in the folded text as whole words."""
    return re.search(rf"(?<![a-z0-9]){re.escape(term_norm)}(?![a-z0-9])", folded_text) is not None


def visible_to(feed: Feed, guild_id: int) -> bool:
    """Items of the operator's feeds reach every server; a server's extra feed reaches only that server."""
    return GLOBAL in feed.guild_ids or guild_id in feed.guild_ids


async def concerned_follows(storage: Storage, item: StoredItem, feed: Feed) -> dict[int, list[FollowHit]]:
    """Return the follows an item concerns, by server, respecting which servers read its feed."""
    folded = item_folded_text(item)
    by_guild: dict[int, list[FollowHit]] = defaultdict(list)
    for hit in await storage.follows.concerned(item.id, folded):
        if hit.term is not None and not term_matches(fold(hit.term).text.strip(), folded):
            continue
        if visible_to(feed, hit.guild_id):
            by_guild[hit.guild_id].append(hit)
    return dict(by_guild)


async def concerned_pings(storage: Storage, item: StoredItem, feed: Feed) -> set[int]:
    """Servers with a role-ping rule naming a club or player the item mentions, among those that read its feed.

    Whether a rule fires (stage, tier) is planning's pure decision (bot.alerts.filters).
    """
    return {g for g in await storage.pings.concerned_guilds(item.id) if visible_to(feed, g)}
