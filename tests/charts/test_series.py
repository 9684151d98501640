"""Heat over time: the formula of bot.stories.heat at sample times, stage changes, the chart's span."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.charts.series import (
    MAX_LINES,
    build_chart,
    cache_key,
    chart_span,
    heat_at,
    heat_line,
    heat_series,
    sample_times,
    slot_end,
    stage_at,
    stage_changes,
)
from bot.models import Report, Stage, Story
from bot.stories import heat

END = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


def report(item_id: int, outlet: str, tier: int | None, stage: Stage, hours_ago: float) -> Report:
    return Report(item_id=item_id, outlet=outlet, tier=tier, stage=stage, published=END - timedelta(hours=hours_ago))


def story(story_id: int, *reports: Report) -> Story:
    ordered = sorted(reports, key=lambda r: r.published)
    top = max((r.stage for r in reports), key=lambda s: s.rank)
    return Story(story_id, f"player:p{story_id}", "club:ac-milan", None, top, None, None, ordered[0].item_id,
                 ordered[0].published, ordered[-1].published, tuple(ordered))


TRAIL = (
    report(1, "Calciomercato", 3, Stage.INTEREST, 200),
    report(2, "Sky Italia", 1, Stage.TALKS, 120),
    report(3, "calciomercato", 3, Stage.TALKS, 100),  # the same outlet again, other case: its newest report counts
    report(4, "Fabrizio Romano", 1, Stage.AGREEMENT, 30),
    report(5, "Gossip Daily", None, Stage.CONTACT, 10),  # a lower stage later never lowers the story's stage
)


def test_the_series_is_the_heat_formula_of_the_reports_known_at_each_moment() -> None:
    """At every sample, the value is bot.stories.heat of the reports published by then, at the highest stage."""
    times = sample_times(TRAIL, END - timedelta(days=10), END)
    values = heat_series(TRAIL, times)
    for moment, value in zip(times, values, strict=True):
        known = [r for r in TRAIL if r.published <= moment]
        if not known:
            assert value is None
            continue
        stage = max((r.stage for r in known), key=lambda s: s.rank)
        assert value == heat(known, stage, moment)
    assert values[0] is None and values[-1] == heat(TRAIL, Stage.AGREEMENT, END)


def test_a_report_makes_a_vertical_jump_and_heat_decays_in_between() -> None:
    romano = TRAIL[3].published
    times = sample_times(TRAIL, END - timedelta(days=10), END)
    assert {romano - timedelta(seconds=1), romano} <= set(times)  # the jump is drawn vertical
    before, at, later = heat_series(TRAIL, [romano - timedelta(seconds=1), romano, romano + timedelta(hours=10)])
    assert before is not None and at is not None and at > before * 2  # agreement from a tier-1 reporter
    assert later is not None and later < at  # nothing new for ten hours: the heat decays
    assert 200 <= len(times) <= 212  # about 200 samples over the span, plus two per report


def test_stage_changes_are_the_opening_stage_and_each_climb() -> None:
    assert stage_changes(TRAIL) == [
        (TRAIL[0].published, Stage.INTEREST),
        (TRAIL[1].published, Stage.TALKS),
        (TRAIL[3].published, Stage.AGREEMENT),
    ]
    denial = (*TRAIL, report(6, "Club", 0, Stage.DENIED, 5))
    assert stage_changes(denial)[-1] == (denial[-1].published, Stage.DENIED)  # a denial ends the climb
    assert stage_at(TRAIL, END - timedelta(hours=50)) is Stage.TALKS
    assert stage_at(TRAIL, END - timedelta(days=30)) is None and heat_at(TRAIL, END - timedelta(days=30)) is None


def test_a_line_marks_each_stage_reached_with_its_heat_and_counts_distinct_outlets() -> None:
    line = heat_line("Radu Drăgușin", story(7, *TRAIL), END - timedelta(days=14), END)
    assert line is not None
    assert line.stage is Stage.AGREEMENT and line.outlets == 4  # Calciomercato twice counts once
    assert [(m.at, m.stage) for m in line.marks] == stage_changes(TRAIL)
    assert all(m.heat == heat_at(TRAIL, m.at) for m in line.marks)
    assert line.points[0][0] == TRAIL[0].published  # nothing before its first report
    assert line.points[-1] == (END, heat(TRAIL, Stage.AGREEMENT, END))


def test_a_line_ignores_reports_after_its_end_and_marks_only_inside_its_span() -> None:
    line = heat_line("x", story(7, *TRAIL), END - timedelta(hours=50), END - timedelta(hours=20))
    assert line is not None
    assert line.stage is Stage.AGREEMENT and line.outlets == 3  # the gossip report came after the end
    assert [m.stage for m in line.marks] == [Stage.AGREEMENT]  # interest and talks were before the span
    assert line.points[0][0] == END - timedelta(hours=50)  # a story older than the span starts at its start


def test_the_span_is_at_most_fourteen_days_and_at_least_two_hours() -> None:
    old = story(1, report(1, "A", 1, Stage.TALKS, 24 * 30), report(2, "B", 1, Stage.TALKS, 2))
    fresh = story(2, report(3, "A", 1, Stage.TALKS, 0.5))
    recent = story(3, report(4, "A", 1, Stage.TALKS, 30))
    assert chart_span([old], END) == (END - timedelta(days=14), END)
    assert chart_span([fresh], END) == (END - timedelta(hours=2), END)
    assert chart_span([recent, fresh], END) == (END - timedelta(hours=31), END)  # an hour before the earliest


def test_a_chart_keeps_the_order_given_and_at_most_eight_lines() -> None:
    stories = [(f"p{n}", story(n, report(n, "A", 1, Stage.TALKS, n))) for n in range(1, 12)]
    chart = build_chart("AC Milan", "heat of each player's story", stories, END)
    assert [line.label for line in chart.lines] == [f"p{n}" for n in range(1, MAX_LINES + 1)]
    assert chart.end == END and chart.title == "AC Milan"


def test_charts_end_on_quarter_hours_and_the_key_changes_with_a_story() -> None:
    assert slot_end(datetime(2026, 1, 29, 10, 7, tzinfo=UTC)) == datetime(2026, 1, 29, 10, 15, tzinfo=UTC)
    assert slot_end(datetime(2026, 1, 29, 10, 15, tzinfo=UTC)) == datetime(2026, 1, 29, 10, 15, tzinfo=UTC)
    before = story(1, *TRAIL[:3])
    after = story(1, *TRAIL[:4])  # one more report: a new last_at and count
    fewer = story(1, *TRAIL[1:3])  # another server's view of the story: fewer reports, same last report
    keys = {cache_key("Milan", "s", [("Drăgușin", s)], END) for s in (before, after, fewer)}
    assert len(keys) == 3
    assert cache_key("Milan", "s", [("Drăgușin", before)], END) == cache_key("Milan", "s", [("Drăgușin", before)], END)
