"""Follow use-cases: turn what a user typed into a catalogue entity (or a free-text term) and store it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from bot.alerts.routing import item_folded_text, term_matches
from bot.catalogue import Catalogue, norm
from bot.catalogue.operator import PROMOTE_AFTER_FEEDS
from bot.describe import describe_entity
from bot.errors import InvalidInput, LimitReached, NotFound
from bot.models import Entity, Follow, FollowFilter, StoredItem
from bot.storage import Storage

TERM_SCAN = 300  # recent items scanned for a term follow's latest news

MAX_TERM = 100


@dataclass(frozen=True, slots=True)
class FollowTarget:
    """What a follow points at: an entity, or a term that matched no entity."""

    entity: Entity | None
    term: str | None
    dm_filter: FollowFilter = field(default_factory=FollowFilter)  # what reaches the fan by DM (issue 12)

    @property
    def label(self) -> str:
        """How to show it to a user."""
        if self.entity is not None:
            return self.entity.name
        return f"“{self.term}”"


class Following:
    """Follow, unfollow and list, per user per server, within a limit."""

    def __init__(self, storage: Storage, catalogue: Catalogue, *, limit: int = 50) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.limit = limit

    def resolve(self, query: str) -> FollowTarget:
        """Resolve typed text or an autocomplete value (an entity id) to what would be followed."""
        text = " ".join(query.split())
        if not text:
            raise InvalidInput("Type a player or club to follow, for example `dragusin` or `milan`.")
        if len(text) > MAX_TERM:
            raise InvalidInput(f"That is {len(text)} characters long; a follow can be at most {MAX_TERM}.")
        entity = self.catalogue.find(text)  # autocomplete sends entity ids as values
        if entity is not None:
            return FollowTarget(entity, None)
        matches = self.catalogue.resolve(text)
        if len(matches) > 1:
            options = " or ".join(describe_entity(e, self.catalogue) for e in matches[:4])
            raise InvalidInput(f"“{text}” could mean {options}. Pick one from the list or type the full name.")
        if matches:
            return FollowTarget(matches[0], None)
        if len(norm(text)) < 2:
            raise InvalidInput("That is too short to follow; type at least two letters.")
        return FollowTarget(None, text)

    async def follow(
        self, *, guild_id: int, user_id: int, query: str, now: datetime, dm_filter: FollowFilter | None = None
    ) -> tuple[FollowTarget, bool]:
        """Follow what ``query`` means. Returns the target and whether it is new (False: already followed).

        ``dm_filter`` sets the follow's filter (an existing follow's too); None keeps an existing follow's filter.
        """
        target = self.resolve(query)
        added = await self.storage.follows.add(
            guild_id=guild_id,
            user_id=user_id,
            now=now,
            limit=self.limit,
            entity_id=target.entity.id if target.entity else None,
            term=target.term,
            term_norm=norm(target.term) if target.term else None,
            dm_filter=dm_filter,
        )
        if added and target.entity is not None and target.entity.provisional:
            # Someone cares about a player the catalogue only knew provisionally: make him a regular.
            await self.storage.entities.promote_eligible(min_feeds=PROMOTE_AFTER_FEEDS, now=now)
        if added is None:
            raise LimitReached(
                f"You already follow {self.limit} players, clubs and terms in this server, the most allowed. "
                "Use /unfollow to make room, then try again."
            )
        if dm_filter is not None:
            target = FollowTarget(target.entity, target.term, dm_filter)
        return target, added

    async def unfollow(self, *, guild_id: int, user_id: int, query: str) -> FollowTarget:
        """Stop following; raises NotFound with a hint when the user does not follow it."""
        text = " ".join(query.split())
        entity = self.catalogue.find(text)
        follows = await self.storage.follows.of_user(guild_id=guild_id, user_id=user_id)
        for follow in follows:
            if (entity is not None and follow.entity_id == entity.id) or (
                follow.term is not None and norm(follow.term) == norm(text)
            ):
                return await self._remove(follow)
        resolved = self.catalogue.resolve(text)
        for follow in follows:
            if any(follow.entity_id == e.id for e in resolved):
                return await self._remove(follow)
        raise NotFound(f"You don't follow “{text}” in this server. /following lists what you follow.")

    async def _remove(self, follow: Follow) -> FollowTarget:
        await self.storage.follows.remove(
            guild_id=follow.guild_id,
            user_id=follow.user_id,
            entity_id=follow.entity_id,
            term_norm=norm(follow.term) if follow.term else None,
        )
        entity = self.catalogue.find(follow.entity_id) if follow.entity_id else None
        return FollowTarget(entity, follow.term)

    async def of_user(self, *, guild_id: int, user_id: int) -> list[FollowTarget]:
        """The user's follows in this server, oldest first."""
        follows = await self.storage.follows.of_user(guild_id=guild_id, user_id=user_id)
        return [
            FollowTarget(self.catalogue.find(f.entity_id) if f.entity_id else None, f.term,
                         FollowFilter(f.min_stage, f.max_tier))
            for f in follows
        ]

    async def latest_news(self, targets: Sequence[FollowTarget], *, guild_id: int) -> list[StoredItem | None]:
        """The newest item about each target that the server sees, in order (None: nothing yet).

        Two queries for all the entities, one scan of recent items for all the terms, however many follows.
        """
        entity_ids = [t.entity.id for t in targets if t.entity is not None]
        about = await self.storage.timeline.latest_of_each(entity_ids, guild_id=guild_id)
        terms = await self.term_news([t.term or "" for t in targets if t.entity is None], guild_id=guild_id, limit=1)
        return [about.get(t.entity.id) if t.entity else next(iter(terms[t.term or ""]), None) for t in targets]

    async def term_news(self, terms: Sequence[str], *, guild_id: int, limit: int) -> dict[str, list[StoredItem]]:
        """The newest items containing each term (as words, folded), among the TERM_SCAN newest the server sees."""
        recent = await self.storage.timeline.latest(guild_id=guild_id, limit=TERM_SCAN, matched_only=False) \
            if terms else []
        return {term: list(islice((i for i in recent if term_matches(norm(term), item_folded_text(i))), limit))
                for term in terms}
