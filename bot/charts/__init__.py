"""Heat charts (issue 12): how each story's heat moved over the last 14 days, as a PNG.

:mod:`bot.charts.series` computes the lines (pure, the formula of :mod:`bot.stories.heat` at sample
times); :mod:`bot.charts.draw` draws them with matplotlib; :class:`ChartDesk` runs the drawing in a
worker thread and caches it. matplotlib is imported only when the first chart is drawn.
"""

from bot.charts.desk import ChartDesk, ChartRequest, draw_heat_chart
from bot.charts.series import HeatChart, HeatLine, StageMark, build_chart, heat_series

__all__ = [
    "ChartDesk", "ChartRequest", "HeatChart", "HeatLine", "StageMark", "build_chart", "draw_heat_chart", "heat_series",
]
