"""Drawing a :class:`~bot.charts.series.HeatChart` as a PNG with matplotlib (Agg, one Figure per drawing).

No pyplot: pyplot keeps global figure state, which is neither thread-safe nor needed. The caller
(:class:`bot.charts.ChartDesk`) runs this in a worker thread, one drawing at a time.

The picture has its own opaque dark card (a slate close to Discord's dark theme, with a light border)
so it reads the same on Discord's dark and light themes: text and lines never depend on the page
behind them. Line colours are the Okabe-Ito colour-blind-safe set, lightened where they would be
too dark on the card.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Final

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib's: no GUI, no display needed

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from bot.charts.series import HeatChart, HeatLine
from bot.models import Stage

WIDTH_PX, HEIGHT_PX, DPI = 800, 440, 100
CARD: Final = "#1e2128"
BORDER: Final = "#5c6370"
GRID: Final = "#3a3f4a"
TEXT: Final = "#eceff4"
MUTED: Final = "#b4bac6"
COLOURS: Final = ("#e69f00", "#56b4e9", "#2fcf95", "#f0e442", "#ff7b4a", "#e28ec0", "#a99cff", "#d8dde6")
STAGE_LABEL: Final = {
    Stage.ADVANCED_TALKS: "adv. talks",
    Stage.PERSONAL_TERMS: "terms",
    Stage.HERE_WE_GO: "here we go",
}
EMPTY_NOTE: Final = "No story about this in the last 14 days"


def stage_label(stage: Stage) -> str:
    """A short stage name for a mark and the legend."""
    return STAGE_LABEL.get(stage, stage.value.replace("_", " "))


def legend_label(line: HeatLine) -> str:
    """Two lines: who, then the stage and how many outlets reported it."""
    outlets = f"{line.outlets} outlet{'s' if line.outlets != 1 else ''}"
    label = line.label if len(line.label) <= 21 else line.label[:20].rstrip() + "…"
    return f"{label}\n{stage_label(line.stage)} · {outlets}"


def day_number(moment: datetime) -> float:
    """matplotlib's date number (days since its default epoch, 1970-01-01 UTC), as ``date2num`` computes it."""
    return moment.timestamp() / 86400


def render_png(chart: HeatChart) -> bytes:
    """Draw the chart; return the PNG file's bytes (WIDTH_PX × HEIGHT_PX)."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=CARD)
    FigureCanvasAgg(figure)
    # Fixed margins, not a layout engine: a third of the time, and the legend column keeps its width.
    axes = figure.add_axes((0.08, 0.12, 0.57, 0.74))
    _style(axes, chart)
    handles = [_draw_line(axes, line, n) for n, line in enumerate(chart.lines)]
    top = max((v for line in chart.lines for _, v in line.points), default=1.0)
    axes.set_ylim(0, top * 1.18 + 0.05)  # room above the highest point for its stage label
    _label_marks(axes, chart, top * 1.18 + 0.05)
    axes.set_xlim(day_number(chart.start), day_number(chart.end))
    if handles:
        figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.86), frameon=False,
                      fontsize=12, labelcolor=TEXT, handlelength=1.6, labelspacing=0.9, borderaxespad=0)
    else:
        axes.text(0.5, 0.5, EMPTY_NOTE, transform=axes.transAxes, ha="center", va="center", color=MUTED, fontsize=14)
    title = figure.text(0.08, 0.925, chart.title, color=TEXT, fontsize=16, fontweight="bold", va="baseline")
    axes.annotate(f"  {chart.subtitle} · ● stage reached · times in UTC", (1, 0), xycoords=title, va="bottom",
                  color=MUTED, fontsize=11.5)
    figure.patches.append(_border(figure))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor=CARD, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _style(axes: matplotlib.axes.Axes, chart: HeatChart) -> None:
    axes.set_facecolor(CARD)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
    axes.tick_params(colors=MUTED, labelsize=11, length=4)
    axes.grid(True, color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.set_ylabel("heat", color=MUTED, fontsize=12)
    span_days = (chart.end - chart.start).total_seconds() / 86400
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5))  # few ticks: every label drawn costs ~1 ms
    # matplotlib.dates has no annotations (hence the ignores); the calls are those its docs show.
    locator = AutoDateLocator(minticks=3, maxticks=6, tz=UTC)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    formatter = DateFormatter("%d %b" if span_days > 2 else "%H:%M\n%d %b", tz=UTC)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(formatter)


def _draw_line(axes: matplotlib.axes.Axes, line: HeatLine, index: int) -> Line2D:
    """Every other line dashed, and each line drawn over the ones after it (the hottest on top): two stories
    with the same heat (two clubs' interest in one article) show as one dashed line of both colours."""
    colour = COLOURS[index % len(COLOURS)]
    style = (0, (5, 3)) if index % 2 else "solid"
    times = [day_number(t) for t, _ in line.points]
    values = [v for _, v in line.points]
    (drawn,) = axes.plot(times, values, color=colour, linewidth=2.6, linestyle=style, label=legend_label(line),
                         solid_joinstyle="round", zorder=3 - index * 0.01)
    if line.marks:
        axes.plot([day_number(m.at) for m in line.marks], [m.heat for m in line.marks], linestyle="none",
                  marker="o", markersize=8, color=colour, markeredgecolor=CARD, markeredgewidth=1.5,
                  zorder=4 - index * 0.01)
    return drawn


def _label_marks(axes: matplotlib.axes.Axes, chart: HeatChart, top: float) -> None:
    """Name the stage at each mark, leaving out a name that would overlap one already placed."""
    span = (chart.end - chart.start).total_seconds()
    placed: list[tuple[float, float]] = []
    marks = [(m, COLOURS[n % len(COLOURS)]) for n, line in enumerate(chart.lines) for m in line.marks]
    for mark, colour in sorted(marks, key=lambda pair: -pair[0].heat):  # the hottest moments are named first
        x, y = (mark.at - chart.start).total_seconds() / span, mark.heat / top
        if any(abs(x - px) < 0.12 and abs(y - py) < 0.08 for px, py in placed):
            continue
        placed.append((x, y))
        axes.annotate(stage_label(mark.stage), (day_number(mark.at), mark.heat), xytext=(0, 8),
                      textcoords="offset points", ha="center", fontsize=10, color=colour, zorder=4)


def _border(figure: Figure) -> matplotlib.patches.Rectangle:
    """A thin light frame, so the card's edge shows on Discord's dark theme too."""
    from matplotlib.patches import Rectangle

    return Rectangle((0.002, 0.003), 0.996, 0.994, transform=figure.transFigure, fill=False,
                     edgecolor=BORDER, linewidth=1.5)
