"""Heat charts for the bot: drawn in a worker thread, one at a time, and cached until a story changes."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.charts.series import build_chart, cache_key, slot_end
from bot.errors import InvalidInput
from bot.models import Story

log = logging.getLogger(__name__)
CACHE_SIZE = 64  # charts are ~40-90 kB: a few megabytes at most
# One drawing thread for the process: matplotlib keeps its fonts per thread, so a chart drawn on a
# thread that drew before is ~100 ms faster than one on a fresh thread of the default pool.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mercato-chart")
_warmed = False


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """What to draw: the title, what each line is, the (label, story) pairs in order, and when the chart ends."""

    title: str
    subtitle: str
    labelled: tuple[tuple[str, Story], ...]
    end: datetime


def _warm_up() -> None:
    """Load matplotlib and its fonts on the drawing thread by drawing a tiny chart (once per process)."""
    global _warmed
    if not _warmed:
        draw_heat_chart(ChartRequest("warm-up", "", (), datetime(2026, 1, 1, tzinfo=UTC)))
        _warmed = True


def draw_heat_chart(request: ChartRequest) -> bytes:
    """Compute the heat lines and draw them: the PNG's bytes. Blocking: call it in a thread from async code."""
    from bot.charts.draw import render_png  # matplotlib loads on the first chart, not at start-up

    return render_png(build_chart(request.title, request.subtitle, request.labelled, request.end))


def write_png(path: Path, png: bytes) -> None:
    """Write a chart to a file (`mercato chart`, `mercato demo`), or say in one line why it could not be written."""
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path}: {exc.strerror or exc}") from exc


class ChartDesk:
    """Draws heat charts off the event loop (on one worker thread) and keeps the latest ones.

    A chart is keyed by its title, its stories' ids, last report times and report counts, and the
    quarter hour it ends in (:func:`bot.charts.series.slot_end`): a new report makes a new chart at
    once, and otherwise one drawing serves every request of that quarter hour. Drawings run one at a
    time (matplotlib is not thread-safe), so a burst of requests for one chart draws it once.
    """

    def __init__(self, *, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.drawn = 0  # charts actually drawn (the rest came from the cache)
        self._cache: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._lock = asyncio.Lock()

    async def heat_png(self, request: ChartRequest) -> bytes | None:
        """The chart as PNG bytes, ending at the end of the quarter hour of ``request.end``; None without stories."""
        if not request.labelled:
            return None
        request = replace(request, end=slot_end(request.end))
        key = cache_key(request.title, request.subtitle, request.labelled, request.end)
        if (png := self._get(key)) is not None:
            return png
        async with self._lock:
            if (png := self._get(key)) is not None:  # drawn by the request this one waited behind
                return png
            png = await asyncio.get_running_loop().run_in_executor(_DRAWER, draw_heat_chart, request)
            self.drawn += 1
        self._cache[key] = png
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return png

    async def warm_up(self) -> None:
        """Load matplotlib on the drawing thread now (~1.5 s, once per process), so the first chart is quick."""
        try:
            await asyncio.get_running_loop().run_in_executor(_DRAWER, _warm_up)
        except Exception:  # the charts will fail too, each logged; the bot runs on without them
            log.exception("could not load matplotlib for heat charts")

    def _get(self, key: tuple[object, ...]) -> bytes | None:
        png = self._cache.get(key)
        if png is not None:
            self._cache.move_to_end(key)
        return png
