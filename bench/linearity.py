"""Every stage of reading an item is linear in its length: double the text, the time roughly doubles.

For each text shape (news items run together, the same text with no punctuation at all — one endless
sentence and clause —, one sentence repeated, abbreviations and initials everywhere) and each stage
(sentence splitting, citation lookup, matching, rumour reading, provisional names), the time at a length
is divided by the time at half that length: about 2 is linear, about 4 quadratic. Matching and reading
stop at 20,000 characters (``MAX_ANALYSED_CHARS``: an item is never read further); the sentence splitter
and the citation lookup are pure functions of any text and are doubled further. Each time is the best of
a few runs (CPU time). Names are not spread evenly through the news texts (the first 5,000 characters of
the run-together items name 120 entities, the next 5,000 name 140), so matching's ratios there run a
little above 2 with its mentions; small times (under a millisecond) are noisy on a shared machine. The
baseline of every ratio is the same stage on the half-length text, same run.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from bot.catalogue import Matcher, load_catalogue
from bot.catalogue.provisional import detect
from bot.language import MAX_ANALYSED_CHARS, extract_rumours, split_sentences
from bot.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LINEAR = 3.0  # a doubling ratio above this is reported as worse than linear (quadratic is 4)


def shapes() -> dict[str, str]:
    """Long texts of four shapes, at least 160,000 characters each."""
    parts = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                parts.append(f"{item['title']}. {item['summary']}")
    news = "\n".join(parts)
    while len(news) < 160_000:
        news += "\n" + news
    return {
        "news": news,
        "no punctuation": re.sub(r"[.!?;,:\n()]+", " ", news),
        "one sentence repeated": "AC Milan want Radu Drăgușin and Roma are keen, according to Calciomercato. " * 2_200,
        "abbreviations": "St. Mr. A.C. Milan v. Roma (Sky) J. Smith no. 5 etc. " * 3_100,
    }


def _best(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def run(*, quick: bool = False) -> list[tuple[str, str, int, float]]:
    """Print the doubling ratios; return (shape, stage, length, ratio) for those above ``LINEAR``."""
    catalogue = load_catalogue(SEEDS)
    matcher = Matcher(catalogue)
    sources = load_sources(SEEDS / "sources.toml")
    runs = 2 if quick else 5
    bounded = [2_500, 5_000, 10_000, MAX_ANALYSED_CHARS]
    unbounded = [*bounded, 40_000, 80_000] + ([] if quick else [160_000])

    def stages(text: str) -> dict[str, Callable[[], object]]:
        match = matcher.match_item("Transfer news", text)
        return {
            "split sentences": lambda: split_sentences(text),
            "cite sources": lambda: sources.cited(text),
            "match": lambda: matcher.match_item("Transfer news", text),
            "read rumours": lambda: extract_rumours(matcher.match_item("Transfer news", text), catalogue,
                                                   sources=sources),
            "provisional names": lambda: detect(match, catalogue, sources=sources),
        }

    worse: list[tuple[str, str, int, float]] = []
    print(f"time(2n) / time(n); about 2 is linear, about 4 quadratic (flagged above {LINEAR})")
    for shape, long_text in shapes().items():
        timings: dict[str, dict[int, float]] = {}
        for length in unbounded:
            for stage, work in stages(long_text[:length]).items():
                if stage in ("split sentences", "cite sources") or length in bounded:
                    timings.setdefault(stage, {})[length] = _best(work, runs)
        print(f"  {shape}:")
        for stage, by_length in timings.items():
            lengths = sorted(by_length)
            ratios = [by_length[b] / max(by_length[a], 1e-9) for a, b in itertools.pairwise(lengths)]
            worse += [(shape, stage, b, r) for b, r in zip(lengths[1:], ratios, strict=True) if r > LINEAR]
            cells = "  ".join(f"{r:4.1f}" for r in ratios)
            print(f"    {stage:18s} {cells}   ({by_length[lengths[-1]] * 1000:6.1f} ms at {lengths[-1]:,} chars)")
    print("  all stages linear" if not worse else f"  worse than linear: {worse}")
    return worse
