"""Drawing: a PNG of the promised size, drawn in a worker thread, once per story state."""

from __future__ import annotations

import asyncio
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.charts import ChartDesk, ChartRequest, build_chart
from bot.charts.draw import HEIGHT_PX, WIDTH_PX, legend_label, render_png
from bot.models import Report, Stage, Story

END = datetime(2026, 1, 29, 12, 7, tzinfo=UTC)


def story(story_id: int, *hours_ago: float, stage: Stage = Stage.TALKS) -> Story:
    reports = tuple(Report(item_id=story_id * 100 + n, outlet=f"Outlet {n}", tier=1, stage=stage,
                           published=END - timedelta(hours=h)) for n, h in enumerate(sorted(hours_ago, reverse=True)))
    return Story(story_id, f"player:p{story_id}", "club:ac-milan", None, stage, None, None, reports[0].item_id,
                 reports[0].published, reports[-1].published, reports)


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_a_chart_is_a_png_of_the_promised_size() -> None:
    chart = build_chart("AC Milan", "heat of each player's story", [("Radu Drăgușin", story(1, 50, 20, 3))], END)
    assert size(render_png(chart)) == (WIDTH_PX, HEIGHT_PX)
    empty = replace(chart, lines=())
    assert size(render_png(empty)) == (WIDTH_PX, HEIGHT_PX)  # a note instead of lines, same size


def test_the_legend_names_the_stage_and_counts_outlets() -> None:
    chart = build_chart("AC Milan", "s", [("Radu Drăgușin", story(1, 50, 20)), ("A very long player name indeed",
                                                                               story(2, 5))], END)
    assert legend_label(chart.lines[0]) == "Radu Drăgușin\ntalks · 2 outlets"
    assert legend_label(chart.lines[1]) == "A very long player n…\ntalks · 1 outlet"


async def test_the_desk_draws_once_per_story_state_and_quarter_hour() -> None:
    desk = ChartDesk()
    request = ChartRequest("AC Milan", "s", (("Radu Drăgușin", story(1, 50, 20)),), END)
    burst = await asyncio.gather(*(desk.heat_png(request) for _ in range(3)))
    assert desk.drawn == 1 and burst[0] == burst[1] == burst[2]  # three requests at once: one drawing
    assert await desk.heat_png(replace(request, end=END + timedelta(minutes=7))) == burst[0]  # same quarter hour
    assert desk.drawn == 1
    changed = ChartRequest("AC Milan", "s", (("Radu Drăgușin", story(1, 50, 20, 1)),), END)  # a new report
    assert await desk.heat_png(changed) != burst[0] and desk.drawn == 2
    await desk.heat_png(replace(request, end=END + timedelta(minutes=9)))  # the next quarter hour
    assert desk.drawn == 3
    assert await desk.heat_png(replace(request, labelled=())) is None


async def test_the_cache_forgets_the_least_recently_used_chart() -> None:
    desk = ChartDesk(size=2)
    requests = [ChartRequest(name, "s", (("x", story(1, 5)),), END) for name in ("a", "b", "c")]
    for request in (requests[0], requests[1], requests[0], requests[2]):  # "b" is the least recently used
        await desk.heat_png(request)
    assert desk.drawn == 3
    await desk.heat_png(requests[0])
    assert desk.drawn == 3
    await desk.heat_png(requests[1])
    assert desk.drawn == 4
