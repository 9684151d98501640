"""The pipeline side of moves learnt from the news: after each ingest commit, complete stories move players.

``MoveLearner.learn`` gets the StoryUpdates of a poll, reads the stories that may have completed (stage
at or above the lowest stage a rule counts), asks the pure decider (``bot.catalogue.moves``) for the move
each proves, and then, in ``auto`` mode, logs and applies it in the database and in the in-memory
catalogue the whole process shares (matching, rumour extraction, autocomplete labels, /following and
alert rendering all read that object), or, in ``review`` mode, queues it for an operator.

An operator's approve/undo (another process: `mercato catalogue …`) bumps a change counter in the
database; the learner compares it at each call and reloads the clubs the log touched, so a running
bot follows the operator without a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.catalogue.model import Catalogue
from bot.catalogue.moves import MoveRules, ProposedMove, propose_move
from bot.models import EntityKind, SourceKind, StoryUpdate
from bot.storage.moves import NewMove

if TYPE_CHECKING:
    from bot.sources import SourceDirectory
    from bot.storage import Storage

log = logging.getLogger(__name__)
MODES = ("auto", "review")


@dataclass(frozen=True, slots=True)
class LearnedMove:
    """A move a poll proved: applied (auto) or queued (review), with its log id."""

    move_id: int
    proposed: ProposedMove
    applied: bool


def as_new_move(move: ProposedMove) -> NewMove:
    """The log row of a move proved by a story."""
    return NewMove(
        player_id=move.player_id, to_club_id=move.to_club_id, effective=move.effective, origin="news",
        loan_from=move.loan_from, deal=move.deal.value if move.deal else None, rule=move.rule,
        story_id=move.story_id, outlets=move.outlets, note=move.note,
    )


class MoveLearner:
    """Applies (or queues) the moves that completed stories prove; keeps the shared catalogue current."""

    def __init__(
        self, storage: Storage, catalogue: Catalogue, sources: SourceDirectory, rules: MoveRules, *, mode: str = "auto"
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"moves mode must be one of {', '.join(MODES)}")
        self.storage = storage
        self.catalogue = catalogue
        self.sources = sources
        self.rules = rules
        self.mode = mode
        self._club_feeds: dict[int, str | None] = {}  # feed id -> the club whose own site it is (by domain)
        self._changes: int | None = None  # the database's change count the catalogue reflects
        self._lock = asyncio.Lock()  # feeds of one cycle are polled concurrently; decide one batch at a time

    async def learn(self, updates: Sequence[StoryUpdate], *, now: datetime) -> list[LearnedMove]:
        """Decide the stories these updates touched; never raises (a poll must not fail over this)."""
        try:
            async with self._lock:
                await self._sync()
                return await self._learn(updates, now=now)
        except Exception:
            log.exception("learning moves failed for stories %s", sorted({u.story_id for u in updates}))
            return []

    async def sync(self) -> None:
        """Reload the clubs the move log touched if an operator changed them since we last looked.

        Never raises: a database hiccup here only delays the reload to the next poll.
        """
        try:
            async with self._lock:
                await self._sync()
        except Exception:
            log.exception("reloading the move log failed")

    async def _sync(self) -> None:
        changes = await self.storage.moves.changes()
        if self._changes is not None and changes == self._changes:
            return
        if self._changes is not None:  # the first call only records where we start from
            for player_id, club_id, as_of in await self.storage.moves.moved_players():
                self.catalogue.move(player_id, club_id, as_of)
            log.info("reloaded players' clubs after a catalogue change (move log count %d)", changes)
        self._changes = changes

    async def _learn(self, updates: Sequence[StoryUpdate], *, now: datetime) -> list[LearnedMove]:
        lowest = self.rules.lowest_stage
        if lowest is None:
            return []
        story_ids = {u.story_id for u in updates if not u.stage.is_negative and u.stage.rank >= lowest.rank}
        story_ids -= await self.storage.moves.decided_stories(story_ids)
        learned = []
        for story_id in sorted(story_ids):
            story = await self.storage.stories.get(story_id)
            if story is None:
                continue
            feeds = {r.feed_id for r in story.reports if r.feed_id is not None}
            proposed = propose_move(
                story,
                player=self.catalogue.find(story.player_id),
                loan_from=await self.storage.moves.loan_parent(story.player_id),
                rules=self.rules,
                club_feeds={f: club for f in feeds if (club := await self._club_of_feed(f)) is not None},
            )
            if proposed is not None:
                done = await self._record(proposed, now=now)
                if done is not None:
                    learned.append(done)
        return learned

    async def _record(self, proposed: ProposedMove, *, now: datetime) -> LearnedMove | None:
        apply = self.mode == "auto"
        move_id, changes = await self.storage.moves.record(as_new_move(proposed), apply=apply, now=now)
        if move_id is None:
            return None
        if apply:
            self.catalogue.move(proposed.player_id, proposed.to_club_id, proposed.effective)
            if self._changes is not None and changes == self._changes + 1:
                self._changes = changes  # our own change; anyone else's is reloaded at the next sync
        log.info(
            "move %s #%d: %s to %s (story %d, rule %s, %s)", "applied" if apply else "queued for review", move_id,
            proposed.player_id, proposed.to_club_id, proposed.story_id, proposed.rule, ", ".join(proposed.outlets),
        )
        return LearnedMove(move_id, proposed, apply)

    async def _club_of_feed(self, feed_id: int) -> str | None:
        """The catalogue club whose own site a feed is, by the feed URL's domain only (never its title)."""
        if feed_id not in self._club_feeds:
            feed = await self.storage.feeds.get(feed_id)
            source = self.sources.for_feed(feed.url, None) if feed is not None else None
            club = None
            if source is not None and source.kind is SourceKind.CLUB:
                hits = self.catalogue.resolve(source.name, EntityKind.CLUB)
                club = hits[0].id if hits else None
            self._club_feeds[feed_id] = club
        return self._club_feeds[feed_id]
