"""One feed poll's write: items, mentions, story reports and the feed's new state in ONE transaction.

A process killed at any point either committed all of a poll's results or none of them: the next
poll refetches (the feed's ETag and body hash are part of the same commit) and decides again, so no
item is ever stored without its story reports (issue #8: a kill between the two commits used to
lose the reports for good).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.models import ItemRumours, NewItem, ReportedRumour, StoredItem, Story, StoryDecision, StoryUpdate
from bot.storage.db import Database, to_db
from bot.storage.feeds import RECORD_SUCCESS
from bot.storage.items import insert_items
from bot.storage.stories import candidate_stories, write_decision


class Decider(Protocol):
    """The story decider (``bot.stories.decide``): the batch's rumours + candidate stories -> intents."""

    def __call__(
        self, items: Sequence[ItemRumours], candidates: Sequence[Story], next_id: int, *, window: timedelta
    ) -> StoryDecision:
        """Decide which story each rumour joins or opens."""
        ...


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a successful fetch changes on the feed (its HTTP caching state and next due time)."""

    feed_id: int
    now: datetime
    next_due_at: datetime
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Ingested:
    """A stored item (``index``: its position in the committed batch) and what it did to each story."""

    index: int
    item: StoredItem
    rumours: tuple[ReportedRumour, ...]
    updates: tuple[StoryUpdate, ...]


class IngestStore:
    """Commits a poll's results atomically."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def commit(
        self,
        state: FeedState,
        items: Sequence[tuple[NewItem, Sequence[ReportedRumour]]],
        *,
        decide: Decider,
        window: timedelta,
    ) -> list[Ingested]:
        """Store the new items with their mentions, place their rumours in stories, record the fetch.

        Returns only the items that were really new (another feed may have stored the same article
        meanwhile), in input order.
        """
        async with self._db.transaction() as conn:
            inserted = await insert_items(conn, state.feed_id, [new for new, _ in items], fetched_at=state.now)
            batch = [ItemRumours(item.id, item.published_at, tuple(items[i][1])) for i, item in inserted]
            pairs = [(r.player_id, r.to_club_id) for b in batch for r in b.rumours]
            updates: list[list[StoryUpdate]] = [[] for _ in batch]
            if pairs:
                since = min(b.published for b in batch if b.rumours) - window
                candidates, next_id = await candidate_stories(conn, pairs, since)
                decision = decide(batch, candidates, next_id, window=window)
                await write_decision(conn, decision)
                updates = decision.updates
            await conn.execute(RECORD_SUCCESS, _state_row(state))
        return [
            Ingested(index, item, b.rumours, tuple(u))
            for (index, item), b, u in zip(inserted, batch, updates, strict=True)
        ]


def _state_row(state: FeedState) -> dict[str, object]:
    return {
        "id": state.feed_id,
        "now": to_db(state.now),
        "next_due_at": to_db(state.next_due_at),
        "etag": state.etag,
        "last_modified": state.last_modified,
        "body_hash": state.body_hash,
        "title": state.title,
    }
