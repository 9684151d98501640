"""Who wants a new item: the follows it concerns, grouped by what they follow.

The question is answered by one indexed query in storage (entity follows join the item's mentions;
term follows are matched on the folded text). Here the term hits are checked on word boundaries,
and items from a server's own extra feed go only to that server's followers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.catalogue import fold
from bot.models import Feed, Followers, StoredItem
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

