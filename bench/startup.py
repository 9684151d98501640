"""Start-up to ready: load the seed catalogue and build the matcher (what `mercato run` does before connecting)."""

from __future__ import annotations

import time
from pathlib import Path

from bot.catalogue import Matcher, load_catalogue, norm
from bot.sources import load_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run() -> float:
    """Print and return the median of three cold-ish loads (seconds)."""
    times = []
    for _ in range(3):
        norm.cache_clear()  # each run starts cold, as a new process does
        start = time.perf_counter()
        catalogue = load_catalogue(SEEDS)
        Matcher(catalogue)
        load_sources(SEEDS / "sources.toml")
        times.append(time.perf_counter() - start)
    median = sorted(times)[1]
    print(f"catalogue: {len(catalogue.clubs())} clubs, {len(catalogue.players())} players, "
          f"{len(catalogue.aliases)} aliases, {len(catalogue.people)} non-players")
    print(f"load seeds + build matcher + sources: {median:.3f} s (median of 3; target <= 2 s)")
    return median
