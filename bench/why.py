"""The "Why?" button's evidence (issue 12): store it with each report, or re-read the item at click time?

Run from the repository root::

    python -m bench.why [--corpus tests/data/corpus.jsonl]

Every corpus item goes through the production path once (matcher, rumour reader, ``reported_rumour``,
``IngestStore.commit`` into a temporary SQLite file), which stores each report's evidence. Then, per
report, in the same process:

* **stored**: what a click costs with the evidence stored: ``PingStore.evidence`` (one indexed query
  and the JSON decode) — the baseline;
* **re-read**: what a click would cost without it: the item's title and summary through
  ``Matcher.match_item`` and ``extract_rumours`` again, as ingest does.

It prints both per click, their ratio, and what storing costs: the evidence's JSON bytes per report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.eval import DEFAULT_CORPUS, SEEDS, load_corpus
from bot.catalogue import Matcher, load_catalogue
from bot.language import extract_rumours
from bot.models import Evidence, FeedItem, NewItem, ReportedRumour
from bot.reading import reported_rumour
from bot.sources import load_sources
from bot.storage import Storage
from bot.storage.ingest import FeedState
from bot.stories import decide

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


async def measure(corpus_path: Path = DEFAULT_CORPUS) -> dict[str, float]:
    """Store the corpus' reports, then time a click both ways; return the figures."""
    catalogue = load_catalogue(SEEDS)
    matcher = Matcher(catalogue)
    directory = load_sources(SEEDS / "sources.toml")
    corpus = load_corpus(corpus_path)
    feed_source = directory.for_feed(None, "Calciomercato")

    def read(title: str, summary: str) -> list[ReportedRumour]:
        """What ingest does to an item: match it, read its rumours, make them this outlet's reports."""
        match = matcher.match_item(title, summary)
        rumours = extract_rumours(match, catalogue, sources=directory, feed_source=feed_source)
        return [reported_rumour(r, "Calciomercato", feed_source) for r in rumours]

    with tempfile.TemporaryDirectory() as folder:
        storage = await Storage.open(Path(folder) / "why.sqlite3")
        try:
            feed = await storage.feeds.add("https://news.example/rss", now=NOW)
            batch = []
            for n, entry in enumerate(corpus):
                item = FeedItem(f"u{n}", entry["title"], entry["summary"], None, NOW - timedelta(minutes=n))
                batch.append((NewItem(item, f"k{n}", True, matcher.match_item(item.title, item.summary).mentions),
                              read(item.title, item.summary)))
            state = FeedState(feed.id, NOW, NOW, None, None, None, "Calciomercato")
            committed = await storage.ingest.commit(state, batch, decide=decide,
                                                    window=timedelta(days=30))
            reports = [(u.story_id, done.item) for done in committed for u in done.updates]
            sizes = [len(_json(r.evidence)) for done in committed for r in done.rumours]
            stored = []
            for story_id, item in reports:
                start = time.perf_counter()
                await storage.pings.evidence(story_id, [item.id])
                stored.append(time.perf_counter() - start)
            reread = []
            for _, item in reports:
                start = time.perf_counter()
                read(item.title, item.summary)
                reread.append(time.perf_counter() - start)
        finally:
            await storage.close()
    return {
        "reports": len(reports),
        "stored_ms": statistics.mean(stored) * 1000,
        "reread_ms": statistics.mean(reread) * 1000,
        "reread_p95_ms": sorted(reread)[int(len(reread) * 0.95)] * 1000,
        "ratio": statistics.mean(reread) / statistics.mean(stored),
        "bytes_mean": statistics.mean(sizes),
        "bytes_max": max(sizes),
    }


def _json(evidence: tuple[Evidence, ...]) -> str:
    """The evidence as bot.storage.stories stores it."""
    return json.dumps([{"wording": e.wording, "start": e.start, "end": e.end, "text": e.text} for e in evidence],
                      ensure_ascii=False)


def run(corpus: Path = DEFAULT_CORPUS) -> None:
    """Print the figures."""
    f = asyncio.run(measure(corpus))
    print(f"{int(f['reports'])} reports of {corpus.name}")
    print(f"click, evidence stored:  {f['stored_ms']:.3f} ms per report (one query + JSON)")
    print(f"click, item re-read:     {f['reread_ms']:.3f} ms mean, {f['reread_p95_ms']:.3f} ms p95 (match + rumours)")
    print(f"re-read / stored:        {f['ratio']:.1f}x")
    print(f"storage cost:            {f['bytes_mean']:.0f} bytes of JSON per report on average, {f['bytes_max']} max")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.why", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    run(parser.parse_args().corpus)


if __name__ == "__main__":
    main()
