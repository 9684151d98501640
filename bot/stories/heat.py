"""Heat: how hot a story is now, from its distinct outlets, their tiers, recency and stage.

Documented here and in the README::

    heat = stage_factor(story stage) × Σ over distinct outlets  weight(tier) × 0.5 ** (age_hours / 24)

where ``weight(tier) = (6 - tier) / 5`` (the club itself 1.2, tier 1 1.0 … aggregators 0.2; an
unknown outlet counts as tier 3), the age is that outlet's newest report's age, and the stage
factor grows with how far the move has gone (interest 1.0 … official 4.0; denied 0.3, collapsed
0.2). Ten aggregators repeating a rumour are worth two top-tier reporters; yesterday's news is
worth half of today's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.models import Report, Stage

UNKNOWN_TIER = 3
HALF_LIFE_HOURS = 24.0
STAGE_FACTOR: dict[Stage, float] = {
    Stage.INTEREST: 1.0,
    Stage.CONTACT: 1.2,
    Stage.TALKS: 1.5,
    Stage.ADVANCED_TALKS: 1.8,
    Stage.BID: 2.0,
    Stage.AGREEMENT: 2.5,
    Stage.PERSONAL_TERMS: 2.7,
    Stage.MEDICAL: 3.0,
    Stage.HERE_WE_GO: 3.5,
    Stage.OFFICIAL: 4.0,
    Stage.DENIED: 0.3,
    Stage.COLLAPSED: 0.2,
}


def best_report(reports: Iterable[Report]) -> Report | None:
    """The most reliable report: lowest tier (unknown counts last), then the earliest."""
    return min(reports, key=lambda r: (r.tier if r.tier is not None else 9, r.published), default=None)


def tier_weight(tier: int | None) -> float:
    """How much one outlet's report counts: (6 - tier) / 5; unknown outlets count as tier 3."""
    return (6 - (UNKNOWN_TIER if tier is None else min(max(tier, 0), 5))) / 5


def heat(reports: Iterable[Report], stage: Stage, now: datetime) -> float:
    """The story's heat at ``now`` (see the module docstring)."""
    newest: dict[str, Report] = {}
    for report in reports:
        key = report.outlet.casefold()
        if key not in newest or report.published > newest[key].published:
            newest[key] = report
    total = 0.0
    for report in newest.values():
        age_hours = max(0.0, (now - report.published).total_seconds() / 3600)
        total += tier_weight(report.tier) * 0.5 ** (age_hours / HALF_LIFE_HOURS)
    return round(STAGE_FACTOR[stage] * total, 3)


def heat_ceiling(stage: Stage, reports: int, last_at: datetime, now: datetime) -> float:
    """No story of ``stage`` with ``reports`` reports, the newest at ``last_at``, is hotter than this at ``now``.

    Every report counted as a distinct outlet of the best tier, as recent as the newest: the read
    commands rank a club's or a player's stories by heat without loading the trail of any story
    whose ceiling is below the hottest ones already found.
    """
    age_hours = max(0.0, (now - last_at).total_seconds() / 3600)
    return STAGE_FACTOR[stage] * tier_weight(0) * reports * float(0.5 ** (age_hours / HALF_LIFE_HOURS))
