"""Stories: the same rumour (player → club) reported by several outlets, and what an item did to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.models.rumours import Deal, Evidence, Stage


@dataclass(frozen=True, slots=True)
class ReportedRumour:
    """A rumour as one item reports it, with the source the report rests on."""

    player_id: str
    to_club_id: str
    from_club_id: str | None
    stage: Stage
    deal: Deal | None
    fee: str | None
    negated: bool
    rejected: bool
    outlet: str
    tier: int | None
    known_source: bool
    cited: str | None = None
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)  # kept with the report for "Why?"


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


@dataclass(frozen=True, slots=True)
class Story:
    """A stored story with its trail of reports, oldest first (the head is ``reports[0]``)."""

    id: int
    player_id: str
    to_club_id: str
    from_club_id: str | None
    stage: Stage
    deal: Deal | None
    fee: str | None
    head_item_id: int
    first_at: datetime
    last_at: datetime
    reports: tuple[Report, ...] = ()

    @property
    def outlets(self) -> list[str]:
        """Distinct outlets, in the order they reported."""
        return list(dict.fromkeys(r.outlet for r in self.reports))

    @property
    def newest(self) -> Report | None:
        """The most recent report (the one an edited alert shows in its trail)."""
        return max(self.reports, key=lambda r: (r.published, r.item_id), default=None)


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
        """True when this item moved the story to a higher stage (or opened it)."""
        return self.previous_stage is None or self.stage.rank > self.previous_stage.rank

    @property
    def key(self) -> AlertKey:
        """The alert identity of this story at this stage: a stage climb is a new alert, a repeat is an edit."""
        return AlertKey.for_story(self.story_id, self.stage)


@dataclass(frozen=True, slots=True)
class ItemRumours:
    """One stored item's rumours, ready to be told apart into stories."""

    item_id: int
    published: datetime
    rumours: tuple[ReportedRumour, ...]


@dataclass(frozen=True, slots=True)
class NewReport:
    """An intent: add this item's report of a rumour to story ``story_id``."""

    story_id: int
    item_id: int
    published: datetime
    rumour: ReportedRumour


@dataclass(slots=True)
class StoryDecision:
    """Every intent of one batch: stories to open, stories to update, reports to add, per-item updates."""

    opened: dict[int, Story] = field(default_factory=dict)
    changed: dict[int, Story] = field(default_factory=dict)
    reports: list[NewReport] = field(default_factory=list)
    updates: list[list[StoryUpdate]] = field(default_factory=list)  # one list per input item, input order


@dataclass(frozen=True, slots=True)
class AlertKey:
    """The identity of one alert: a story at a stage, or (for an item with no rumour) the item itself;
    or one server's digest of one local day (issue 12), whose target says where it goes.

    Stored as text (``story:12:talks`` / ``item:5`` / ``digest:<guild id>:2026-01-29``) in the outbox;
    :meth:`parse` reads it back.
    """

    story_id: int | None = None
    stage: Stage | None = None
    item_id: int | None = None
    digest_guild_id: int | None = None
    digest_day: date | None = None

    @classmethod
    def for_story(cls, story_id: int, stage: Stage) -> AlertKey:
        """The key of a story's alert at ``stage``."""
        return cls(story_id=story_id, stage=stage)

    @classmethod
    def for_item(cls, item_id: int) -> AlertKey:
        """The key of a rumour-less item's own alert."""
        return cls(item_id=item_id)

    @classmethod
    def for_digest(cls, guild_id: int, day: date) -> AlertKey:
        """The key of a server's digest (or one of its members' digests, by target) of one local day."""
        return cls(digest_guild_id=guild_id, digest_day=day)

    @property
    def is_digest(self) -> bool:
        """True for a digest's key."""
        return self.digest_day is not None

    @classmethod
    def parse(cls, text: str) -> AlertKey:
        """Read a stored key; raises ValueError on anything else."""
        kind, _, rest = text.partition(":")
        if kind == "story":
            story_id, _, stage = rest.partition(":")
            return cls.for_story(int(story_id), Stage(stage))
        if kind == "item":
            return cls.for_item(int(rest))
        if kind == "digest":
            guild_id, _, day = rest.partition(":")
            return cls.for_digest(int(guild_id), date.fromisoformat(day))
        raise ValueError(f"not an alert key: {text!r}")

    def __str__(self) -> str:
        if self.story_id is not None and self.stage is not None:
            return f"story:{self.story_id}:{self.stage.value}"
        if self.digest_day is not None:
            return f"digest:{self.digest_guild_id}:{self.digest_day.isoformat()}"
        return f"item:{self.item_id}"
