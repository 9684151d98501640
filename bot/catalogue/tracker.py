"""The pipeline side of provisional players: record what each item shows of them, promote them once confirmed.

Detection itself (pure) is :mod:`bot.catalogue.provisional`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.catalogue.model import Catalogue
from bot.catalogue.provisional import ProvisionalCandidate, ProvisionalDetector
from bot.models import MatchResult, Sighting

if TYPE_CHECKING:
    from bot.sources import SourceDirectory
    from bot.storage.entities import EntityStore

log = logging.getLogger(__name__)

__all__ = ["ProvisionalTracker", "mark_promoted"]


class ProvisionalTracker:
    """Records provisional players the pipeline sees and promotes them once confirmed.

    A sighting is (player, item, feed). A provisional player becomes a regular one (``provisional``
    False, source ``learned``) once ``min_feeds`` distinct feeds reported him, or as soon as anyone
    follows him (by entity, or by a free-text term equal to his name: such follows are re-linked).
    """

    def __init__(
        self,
        store: EntityStore,
        catalogue: Catalogue,
        *,
        sources: SourceDirectory | None = None,
        min_feeds: int = 2,
    ) -> None:
        self._store = store
        self.catalogue = catalogue
        self.detector = ProvisionalDetector(catalogue, sources=sources)
        self.min_feeds = min_feeds

    def sightings(
        self, match: MatchResult, candidates: Sequence[ProvisionalCandidate] | None = None
    ) -> list[Sighting]:
        """What ``match`` shows of provisional players: new candidates (``candidates`` when the reader already
        detected them, bot.reading), and known provisional players named."""
        seen: dict[str, Sighting] = {}
        for candidate in self.detector.detect(match) if candidates is None else candidates:
            seen.setdefault(candidate.entity_id, Sighting(
                entity_id=candidate.entity_id,
                name=candidate.name,
                club_id=candidate.club_id,
                evidence=candidate.evidence,
                position=candidate.position,
                nationality=candidate.nationality,
            ))
        for mention in match.mentions:
            entity = self.catalogue.find(mention.entity_id)
            if entity is not None and entity.provisional:
                seen.setdefault(entity.id, Sighting(entity.id, entity.name, None, mention.text))
        return list(seen.values())

    async def observe(
        self, item_id: int, feed_id: int, match: MatchResult, *, now: datetime,
        candidates: Sequence[ProvisionalCandidate] | None = None,
    ) -> list[str]:
        """Record an item's provisional sightings, then promote whoever now qualifies; return promoted ids.

        Never raises: the poll cycle must not fail a feed because of this bookkeeping.
        """
        try:
            seen = self.sightings(match, candidates)
            if not seen:
                return []
            await self._store.record_sightings(item_id, feed_id, seen, now=now)
            for sighting in seen:
                if sighting.entity_id not in self.catalogue.entities:
                    # Known by id from now on (names in alerts, /follow by id); the matcher learns the
                    # name at the next start-up, when the catalogue is rebuilt with it.
                    self.catalogue.entities[sighting.entity_id] = sighting.entity()
            return await self.promote(now=now)
        except Exception:
            log.exception("recording provisional players failed for item %s", item_id)
            return []

    async def promote(self, *, now: datetime) -> list[str]:
        """Promote every provisional player seen by ``min_feeds`` feeds or followed; return their ids."""
        promoted = await self._store.promote_eligible(min_feeds=self.min_feeds, now=now)
        mark_promoted(self.catalogue, promoted)
        return promoted


def mark_promoted(catalogue: Catalogue, entity_ids: Iterable[str]) -> None:
    """Flip promoted players to regular in an in-memory catalogue."""
    for entity_id in entity_ids:
        entity = catalogue.find(entity_id)
        if entity is not None and entity.provisional:
            catalogue.entities[entity_id] = replace(entity, provisional=False)
