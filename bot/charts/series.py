"""Heat over time: each story's heat, by the formula of :mod:`bot.stories.heat`, evaluated at sample times. Pure.

At a moment ``t`` a story is what its reports published up to ``t`` make it: its stage is the highest
stage reported so far (the story decider's rule) and its heat is :func:`bot.stories.heat` of those
reports at ``t``. Sampling that about 200 times over the chart's span, plus just before and at each
report, draws the line a fan would have seen move: a jump at each report, decay in between, a mark
where the stage climbed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.models import Report, Stage, Story, highest_stage
from bot.stories import heat

WINDOW: Final = timedelta(days=14)  # the longest span a chart covers
MIN_SPAN: Final = timedelta(hours=2)  # a chart of fresh stories still spans a couple of hours
LEAD: Final = timedelta(hours=1)  # room before the earliest report, so its start is visible
SAMPLES: Final = 200  # points per line between reports: smooth at 800 px, whatever the span
MIN_STEP: Final = timedelta(minutes=5)
JUST_BEFORE: Final = timedelta(seconds=1)  # the sample that makes a report's jump vertical
SLOT: Final = timedelta(minutes=15)  # charts end on a slot boundary, so one drawing serves a quarter hour
MAX_LINES: Final = 8


@dataclass(frozen=True, slots=True)
class StageMark:
    """Where a story reached a stage: when, which stage, and its heat at that moment."""

    at: datetime
    stage: Stage
    heat: float


@dataclass(frozen=True, slots=True)
class HeatLine:
    """One story's heat over the chart's span (one line: a player on a club's chart, a club on a player's)."""

    label: str
    story_id: int
    stage: Stage  # as of the chart's end
    outlets: int  # distinct outlets that reported it by the chart's end
    points: tuple[tuple[datetime, float], ...]  # from its first report (or the chart's start) to the end
    marks: tuple[StageMark, ...]  # stage changes within the span, the opening stage included


@dataclass(frozen=True, slots=True)
class HeatChart:
    """What a heat chart shows; drawn by :mod:`bot.charts.draw`."""

    title: str  # what the chart is about: "AC Milan"
    subtitle: str  # what each line is: "each player's story"
    start: datetime
    end: datetime
    lines: tuple[HeatLine, ...]


def slot_end(moment: datetime, slot: timedelta = SLOT) -> datetime:
    """The end of the slot ``moment`` falls in (a moment on a boundary is its own end)."""
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    slots = -((epoch - moment) // slot)  # ceiling division
    return epoch + slots * slot


def cache_key(
    title: str, subtitle: str, labelled: Sequence[tuple[str, Story]], end: datetime
) -> tuple[object, ...]:
    """What a chart depends on: its titles and end, and each story's id, last report time and report count.

    A server sees only its feeds' reports of a story, so the count tells two views of one story apart.
    """
    return title, subtitle, end, tuple((label, s.id, s.last_at, len(s.reports)) for label, s in labelled)


def stage_at(reports: Sequence[Report], moment: datetime) -> Stage | None:
    """The story's stage at ``moment``: the highest stage reported by then (None before its first report)."""
    return highest_stage(r.stage for r in reports if r.published <= moment)


def heat_at(reports: Sequence[Report], moment: datetime) -> float | None:
    """The story's heat at ``moment`` from the reports published by then (None before its first report)."""
    known = [r for r in reports if r.published <= moment]
    stage = highest_stage(r.stage for r in known)
    return None if stage is None else heat(known, stage, moment)


def stage_changes(reports: Sequence[Report]) -> list[tuple[datetime, Stage]]:
    """Each moment the story's stage changed, the opening stage first."""
    changes: list[tuple[datetime, Stage]] = []
    current: Stage | None = None
    for report in sorted(reports, key=lambda r: (r.published, r.item_id)):
        if current is None or report.stage.rank > current.rank:
            current = report.stage
            if changes and changes[-1][0] == report.published:
                changes[-1] = (report.published, current)  # two reports at one moment: one change
            else:
                changes.append((report.published, current))
    return changes


def sample_times(reports: Sequence[Report], start: datetime, end: datetime) -> list[datetime]:
    """About 200 moments from ``start`` to ``end`` (at most one per 5 minutes), plus each report and the second
    before it."""
    step = max((end - start) / SAMPLES, MIN_STEP)
    times = {end}
    moment = start
    while moment < end:
        times.add(moment)
        moment += step
    for report in reports:
        if start < report.published <= end:
            times.update((report.published - JUST_BEFORE, report.published))
    return sorted(times)


def heat_series(reports: Sequence[Report], times: Sequence[datetime]) -> list[float | None]:
    """The story's heat at each of ``times`` (ascending): :func:`bot.stories.heat` of the reports known then.

    Walks the reports once: only each outlet's newest report counts in the formula, so that is all
    that is kept, and the stage is the highest seen so far.
    """
    ordered = sorted(reports, key=lambda r: (r.published, r.item_id))
    newest: dict[str, Report] = {}
    stage: Stage | None = None
    values: list[float | None] = []
    index = 0
    for moment in times:
        while index < len(ordered) and ordered[index].published <= moment:
            report = ordered[index]
            newest[report.outlet.casefold()] = report
            stage = report.stage if stage is None or report.stage.rank > stage.rank else stage
            index += 1
        values.append(None if stage is None else heat(newest.values(), stage, moment))
    return values


def heat_line(label: str, story: Story, start: datetime, end: datetime) -> HeatLine | None:
    """One story's line over [start, end] (None if it has no report by ``end``)."""
    reports = [r for r in story.reports if r.published <= end]
    final = stage_at(reports, end)
    if final is None:
        return None
    times = sample_times(reports, start, end)
    points = tuple((t, v) for t, v in zip(times, heat_series(reports, times), strict=True) if v is not None)
    marks = tuple(
        StageMark(at, stage, heat_at(reports, at) or 0.0) for at, stage in stage_changes(reports) if start <= at <= end
    )
    outlets = len({r.outlet.casefold() for r in reports})
    return HeatLine(label, story.id, final, outlets, points, marks)


def chart_span(stories: Sequence[Story], end: datetime) -> tuple[datetime, datetime]:
    """The span to draw: the last 14 days at most, from an hour before the earliest report, at least two hours."""
    earliest = min((r.published for s in stories for r in s.reports), default=end)
    start = max(end - WINDOW, min(earliest - LEAD, end - MIN_SPAN))
    return start, end


def build_chart(title: str, subtitle: str, labelled: Sequence[tuple[str, Story]], end: datetime) -> HeatChart:
    """The chart of up to eight stories (label, story) in the order given, ending at ``end``."""
    chosen = list(labelled)[:MAX_LINES]
    start, end = chart_span([s for _, s in chosen], end)
    lines = [line for label, story in chosen if (line := heat_line(label, story, start, end)) is not None]
    return HeatChart(title, subtitle, start, end, tuple(lines))
