"""`mercato match --jsonl` end to end: a new process reads a batch of articles and prints one JSON line each.

The batch (2,610 distinct articles, written to a temporary file) mixes the labelled items of
``tests/data/*.jsonl`` (real feed items, each once), feed items made from the ingest bench's templates
(a player, his club and a suitor with transfer wording) and filler articles from the matching bench
(many names, little transfer wording). No article repeats, so nothing is helped by a cache of texts.

Baseline, in the same run: the same command on an empty batch (interpreter, imports, catalogue and
matcher: the fixed cost of one invocation). Both are timed as wall clock and as the child's CPU, with the
command's cache (MERCATO_CACHE_DIR, a folder of the bench's own) filled by a first run, as it is for an
operator from the second run on; the whole command is also timed with the cache off (every run builds
the catalogue and matcher, as the first one does).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest import BODY, TEMPLATES
from bench.matching import articles
from bot.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BATCH = 2_610
TARGET = 2_500  # articles/s end to end (issue 9)


def batch(count: int = BATCH) -> list[dict[str, str]]:
    """``count`` distinct articles as {"title", "summary"} records (see the module docstring)."""
    records = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                records.append({"title": item["title"], "summary": item["summary"]})
    catalogue = load_catalogue(SEEDS)
    rng = random.Random(23)
    players = [(p.name, club.name) for p in catalogue.players() if (club := catalogue.club_of(p.id)) is not None]
    clubs = [c.name for c in catalogue.clubs()]
    templated = (count - len(records)) // 2
    for _ in range(templated):
        player, from_club = rng.choice(players)
        values = {"player": player, "club": rng.choice(clubs), "from_club": from_club, "fee": rng.randint(5, 90)}
        records.append({"title": rng.choice(TEMPLATES).format(**values), "summary": BODY.format(**values)})
    for text in articles(catalogue, count - len(records), seed=29):
        title, _, summary = text.partition(" the ")
        records.append({"title": title, "summary": "the " + summary})
    return records[:count]


def _time(path: Path, cache: str) -> tuple[float, float, int]:
    """(wall seconds, child CPU seconds, output lines) of one `mercato match --jsonl PATH`."""
    env = {**os.environ, "MERCATO_CACHE_DIR": cache}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "match", "--jsonl", str(path)], capture_output=True, check=True, cwd=ROOT,
        env=env,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.count(b"\n")


def run(*, quick: bool = False) -> None:
    """Print articles/s of the whole command, and its fixed cost on an empty batch (best of a few runs)."""
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        full, empty = Path(tmp) / "batch.jsonl", Path(tmp) / "empty.jsonl"
        records = batch()
        full.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        empty.write_text("", encoding="utf-8")
        cache = str(Path(tmp) / "cache")
        _time(empty, cache)  # fills the cache
        fixed = min(_time(empty, cache)[:2] for _ in range(runs))
        whole = min(_time(full, cache) for _ in range(runs))
        uncached = min(_time(full, "off") for _ in range(runs))
    wall, cpu, lines = whole
    assert lines == len(records), f"{lines} output lines for {len(records)} articles"
    print(f"{len(records):,} distinct articles (labelled items, templated feed items, filler with names)")
    print(f"  whole command          : {len(records) / wall:8,.0f} articles/s  ({wall:.2f} s wall, {cpu:.2f} s CPU)")
    print(f"  cache off (first run)  : {len(records) / uncached[0]:8,.0f} articles/s  ({uncached[0]:.2f} s wall)")
    print(f"  empty batch (baseline) :            {fixed[0]:.2f} s wall, {fixed[1]:.2f} s CPU (start-up)")
    per_article = len(records) / max(cpu - fixed[1], 1e-9)
    print(f"  reading alone          : {per_article:8,.0f} articles/s of CPU after start-up")
    print(f"  target: >= {TARGET:,} articles/s end to end")
