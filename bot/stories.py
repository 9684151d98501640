"""Stories: the same rumour reported by several outlets is one story, ranked by heat.

A story is one player linked with one club (player -> to-club) over a time window. Every item that
carries that rumour adds a *report* (outlet, tier, stage, time) to the story's trail; the earliest
report is its head. The entity pair decides membership — never titles alone, since "AC Milan bid
for Højlund" and "Inter bid for Højlund" read alike but are different stories; title similarity
(rapidfuzz) only supports attaching an item that names the same player and club but carries no
extracted rumour of its own.

Heat, documented here and in the README::

    heat = stage_factor(story stage) × Σ over distinct outlets  weight(tier) × 0.5 ** (age_hours / 24)

where ``weight(tier) = (6 - tier) / 5`` (the club itself 1.2, tier 1 1.0 … aggregators 0.2; an
unknown outlet counts as tier 3), the age is that outlet's newest report's age, and the stage
factor grows with how far the move has gone (interest 1.0 … official 4.0; denied 0.3, collapsed
0.2). Ten aggregators repeating a rumour are worth two top-tier reporters; yesterday's news is
worth half of today's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot.rumours import Stage

STORY_WINDOW = timedelta(days=10)  # a report more than this after a story's last one starts a new story
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
TITLE_SUPPORT = 70  # token_set_ratio at which a rumour-less item joins a story naming the same pair


@dataclass(frozen=True, slots=True)
class Report:
    """One outlet's report of a story."""

    item_id: int
    outlet: str
    tier: int | None
    stage: Stage
    published: datetime
    link: str | None = None
    title: str = ""
    known_source: bool = True
    cited: str | None = None  # the source the report cites, when it names one
    feed_id: int | None = None  # the feed that carried it (which servers may see it)


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


def climbed(old: Stage | None, new: Stage) -> bool:
    """True when a story's stage moves up (news: a new alert), including to collapsed or denied."""
    return old is None or new.rank > old.rank


@dataclass(frozen=True, slots=True)
class StoryUpdate:
    """What one item did to one story: the story id, its stage before and after, whether it is new."""

    story_id: int
    player_id: str
    to_club_id: str
    stage: Stage
    previous_stage: Stage | None
    is_new: bool

    @property
    def climbed(self) -> bool:
        """True when this item moved the story to a higher stage."""
        return climbed(self.previous_stage, self.stage)

    @property
    def key(self) -> str:
        """The alert identity of this story at this stage: a stage climb is a new alert, a repeat is an edit."""
        return f"story:{self.story_id}:{self.stage.value}"


def primary(updates: Sequence[StoryUpdate]) -> StoryUpdate | None:
    """The story an item's alert is about: the most advanced stage, then the first reported."""
    if not updates:
        return None
    return max(enumerate(updates), key=lambda pair: (pair[1].stage.rank, -pair[0]))[1]


# ------------------------------------------------------------------ clustering (pure, for evaluation)


@dataclass(frozen=True, slots=True)
class ClusterInput:
    """An item to cluster: its id, time, title, (player, to-club) pairs, and entity ids."""

    item_id: str
    published: datetime
    title: str
    pairs: frozenset[tuple[str, str]]
    entities: frozenset[str] = field(default_factory=frozenset)


def cluster(items: Sequence[ClusterInput], *, window: timedelta = STORY_WINDOW) -> list[list[str]]:
    """Group items that report the same story; return one group of item ids per story with several reports.

    Items are taken in time order. An item joins every open story whose (player, to-club) pair it
    reports; an item with no pair joins a story only if it names both the story's player and club
    and its title reads like the story's head (rapidfuzz token_set_ratio ≥ TITLE_SUPPORT).
    """
    stories: dict[tuple[str, str], list[tuple[str, datetime, str]]] = {}  # open story per pair: [(item, time, title)]
    closed: list[list[tuple[str, datetime, str]]] = []  # stories whose window ended
    for item in sorted(items, key=lambda i: i.published):
        joined: list[tuple[str, str]] = []
        for pair in item.pairs:
            trail = stories.get(pair)
            if trail is not None and item.published - trail[-1][1] > window:
                closed.append(trail)
                trail = None
            if trail is None:
                stories[pair] = [(item.item_id, item.published, item.title)]
            else:
                trail.append((item.item_id, item.published, item.title))
                joined.append(pair)
        if not item.pairs:
            for pair, trail in stories.items():
                head_title = trail[0][2]
                if (
                    set(pair) <= item.entities
                    and item.published - trail[-1][1] <= window
                    and fuzz.token_set_ratio(item.title, head_title) >= TITLE_SUPPORT
                ):
                    trail.append((item.item_id, item.published, item.title))
                    joined.append(pair)
    # One group per story: an item that reports several stories (a gossip digest) is in several groups.
    result: list[list[str]] = []
    for trail in [*closed, *stories.values()]:
        members = sorted({item_id for item_id, _, _ in trail})
        if len(members) > 1 and members not in result:
            result.append(members)
    return result
