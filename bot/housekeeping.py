"""Housekeeping jobs the running bot schedules next to its poll tick: retention, and deleting left servers' data."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.privacy import Privacy
from bot.retention import Retention
from bot.scheduling import Poller

RETENTION_EVERY: Final = timedelta(hours=6)  # a prune is cheap when there is little to delete
PURGE_EVERY: Final = timedelta(hours=1)  # a grace period ends within the hour


def schedule_housekeeping(poller: Poller, *, retention: Retention, privacy: Privacy) -> None:
    """Add the retention and server-data purge jobs to the poller's scheduler (after it started)."""
    poller.every("mercato-retention", RETENTION_EVERY, retention.prune, first_in=timedelta(minutes=5))
    poller.every("mercato-purge-left-servers", PURGE_EVERY, privacy.purge_due, first_in=timedelta(minutes=2))
