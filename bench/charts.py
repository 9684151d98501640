"""Heat charts: one busy chart (8 stories, 40 reports each over 14 days) computed and drawn, against a baseline.

Baseline, in the same run: saving an empty matplotlib Figure of the same size as a PNG (the fixed
cost of any chart). Measured: the heat lines (pure Python) plus the drawing, as `mercato chart` does;
then through :class:`ChartDesk` as the bot does (a worker thread), and a request the cache answers.
Target: a chart in <= 300 ms on the project's 2-core machine.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.charts import ChartDesk, ChartRequest, build_chart, draw_heat_chart
from bot.models import Report, Stage, Story

END = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
TARGET_MS = 300.0
CLIMB = (Stage.INTEREST, Stage.CONTACT, Stage.TALKS, Stage.ADVANCED_TALKS, Stage.BID, Stage.AGREEMENT,
         Stage.MEDICAL, Stage.HERE_WE_GO)


def busy_request(stories: int = 8, reports: int = 40) -> ChartRequest:
    """A club's chart on a deadline-day scale: every story climbs through the stages, ten outlets each."""
    labelled = []
    for s in range(stories):
        trail = []
        for n in range(reports):
            hours = 14 * 24 * (reports - n) / reports - s * 3
            stage = CLIMB[min(n * len(CLIMB) // reports + s % 2, len(CLIMB) - 1)]
            trail.append(Report(item_id=s * 1000 + n, outlet=f"Outlet {n % 10}", tier=n % 6, stage=stage,
                                published=END - timedelta(hours=max(hours, 0.5))))
        top = max((r.stage for r in trail), key=lambda st: st.rank)
        story = Story(s + 1, f"player:p{s}", "club:ac-milan", None, top, None, None, trail[0].item_id,
                      trail[0].published, trail[-1].published, tuple(trail))
        labelled.append((f"Player number {s + 1}", story))
    return ChartRequest("AC Milan", "heat of each player's story", tuple(labelled), END)


def empty_figure_png() -> bytes:
    """The baseline: an empty Figure of the chart's size, saved as a PNG."""
    from matplotlib.figure import Figure

    from bot.charts.draw import CARD, DPI, HEIGHT_PX, WIDTH_PX

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=CARD)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor=CARD)
    return out.getvalue()


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm: matplotlib's import and font cache are paid once per process, not per chart
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def desk_ms(request: ChartRequest, runs: int) -> tuple[float, float]:
    """Median ms of a chart through the desk (thread hop included), each time a new story state; then a cached hit."""
    desk = ChartDesk()
    drawn, cached = [], []
    for n in range(runs):
        fresh = ChartRequest(f"{request.title} {n}", request.subtitle, request.labelled, request.end)
        start = time.perf_counter()
        await desk.heat_png(fresh)
        drawn.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        await desk.heat_png(fresh)
        cached.append((time.perf_counter() - start) * 1000)
    return statistics.median(drawn), statistics.median(cached)


def run(*, quick: bool = False) -> float:
    """Print the timings; return the median ms of one busy chart (lines + drawing)."""
    runs = 3 if quick else 11
    request = busy_request()
    baseline = median_ms(empty_figure_png, runs)
    lines = median_ms(lambda: build_chart(request.title, request.subtitle, request.labelled, request.end), runs)
    chart = median_ms(lambda: draw_heat_chart(request), runs)
    through_desk, cached = asyncio.run(desk_ms(request, runs))
    points = sum(len(line.points) for line in build_chart(request.title, request.subtitle, request.labelled,
                                                          request.end).lines)
    verdict = "ok" if chart <= TARGET_MS and through_desk <= TARGET_MS else "OVER TARGET"
    print(f"8 stories x 40 reports over 14 days ({points:,} points), {len(draw_heat_chart(request)):,} byte PNG; "
          f"median of {runs}")
    print(f"  {'empty figure saved as PNG (baseline)':40s}: {baseline:7.1f} ms")
    print(f"  {'heat lines only (pure)':40s}: {lines:7.1f} ms")
    print(f"  {'lines + drawing (mercato chart)':40s}: {chart:7.1f} ms = {chart / baseline:5.2f}x baseline")
    print(f"  {'through ChartDesk (worker thread)':40s}: {through_desk:7.1f} ms = {through_desk / baseline:5.2f}x "
          f"baseline  [target <= {TARGET_MS:.0f} ms: {verdict}]")
    print(f"  {'the same chart again (cache)':40s}: {cached:7.3f} ms")
    return chart


if __name__ == "__main__":
    run()
