"""Reading speed on the labelled items: matching, rumour extraction and provisional names, items per second.

Every labelled item of ``tests/data/*.jsonl`` (real feed items, 402 today) is matched, then its rumours and
provisional names are read. Each pass starts from fresh Documents (the reader keeps nothing between items:
there is no cache a repeated text could hit), and a first pass compiles what is compiled on first use.
Times are CPU time with the garbage collector paused, best of several passes. Baseline, in the same run:
matching the same items (the stage every item goes through before reading).
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

from bot.catalogue import Matcher, load_catalogue
from bot.catalogue.provisional import detect
from bot.language import extract_rumours
from bot.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TARGET = 3_000  # rumour extraction, items/s (issue 9)


def labelled_items() -> list[tuple[str, str, str | None]]:
    """(title, summary, feed) of every labelled item."""
    items = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                items.append((record["title"], record["summary"], record.get("feed")))
    return items


def run(*, quick: bool = False) -> dict[str, float]:
    """Print and return items/s of each stage."""
    catalogue = load_catalogue(SEEDS)
    matcher = Matcher(catalogue)
    sources = load_sources(SEEDS / "sources.toml")
    items = labelled_items()
    feeds = [sources.for_feed(None, feed) for _t, _s, feed in items]
    best = {"match": float("inf"), "extract": float("inf"), "provisional": float("inf")}
    for _ in range(3 if quick else 10):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            matches = [matcher.match_item(title, summary) for title, summary, _feed in items]
            best["match"] = min(best["match"], time.process_time() - start)
            start = time.process_time()
            for match, feed_source in zip(matches, feeds, strict=True):
                extract_rumours(match, catalogue, sources=sources, feed_source=feed_source)
            best["extract"] = min(best["extract"], time.process_time() - start)
            start = time.process_time()
            for match in matches:
                detect(match, catalogue, sources=sources)
            best["provisional"] = min(best["provisional"], time.process_time() - start)
        finally:
            gc.enable()
    rates = {stage: len(items) / seconds for stage, seconds in best.items()}
    print(f"{len(items)} labelled items, fresh Documents every pass, CPU time, best of passes")
    print(f"  matching (baseline)  : {rates['match']:8,.0f} items/s")
    print(f"  rumour extraction    : {rates['extract']:8,.0f} items/s  = {rates['extract'] / rates['match']:.2f}x "
          f"matching  (target >= {TARGET:,})")
    print(f"  provisional names    : {rates['provisional']:8,.0f} items/s  = "
          f"{rates['provisional'] / rates['match']:.2f}x matching")
    return rates
