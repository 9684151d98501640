"""Retention: items older than MERCATO_RETENTION_DAYS are deleted, so the database stops growing.

Stories, and the alerts that carry them, go when nothing refers to them any more (see
:mod:`bot.storage.retention` for exactly what keeps an old item alive). Freed pages are reused by
SQLite, so in steady state the file keeps its size.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.metrics import Metrics
from bot.storage import Storage
from bot.storage.retention import Pruned

log = logging.getLogger(__name__)


class Retention:
    """Prunes what is older than the retention period."""

    def __init__(self, storage: Storage, *, now: Callable[[], datetime], days: int,
                 metrics: Metrics | None = None) -> None:
        self.storage = storage
        self.now = now
        self.period = timedelta(days=days)
        self.metrics = metrics

    async def prune(self) -> Pruned:
        """Delete items stored more than the retention period ago, with what only they kept."""
        now = self.now()
        pruned = await self.storage.retention.prune(cutoff=now - self.period, now=now)
        if self.metrics is not None:
            self.metrics.pruned.inc(pruned.items)
        if pruned.items or pruned.keys_forgotten:
            log.info("retention (%d days): deleted %d item(s), %d mention(s), %d stor(ies)", self.period.days,
                     pruned.items, pruned.mentions, pruned.stories)
        return pruned
