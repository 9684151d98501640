"""Snapshot what the reader produces, to prove a speed change changed no output.

    python -m bench.snapshot write /tmp/before.jsonl   # before the change
    python -m bench.snapshot check /tmp/before.jsonl   # after it: exit 1 and the differences if any

For every item of ``tests/data/*.jsonl`` and of the demo feeds (``seeds/demo/*/*.xml``), the generated
articles of ``bench/cli_match.py`` and three long texts (5,000 to 40,000 characters of the labelled items
run together) it records the item's language, every mention (entity, span, text), every rumour with all
its fields (source and evidence included) and every provisional name (all fields), one JSON line per item.
A snapshot is only meaningful against the same seeds: take it again after a rule or data change.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from bench import cli_match
from bot.catalogue import Matcher, load_catalogue
from bot.catalogue.provisional import detect
from bot.feeds.parse import parse_feed
from bot.language import extract_rumours
from bot.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
DEMO = SEEDS / "demo"


def items() -> Iterator[tuple[str, str, str, str | None]]:
    """(key, title, summary, feed title) of every item snapshotted (see the module docstring)."""
    yield from _labelled()
    fetched = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
    for path in sorted(DEMO.glob("*/*.xml")):
        feed = parse_feed(path.read_bytes(), {}, fetched_at=fetched)
        for item in feed.items:
            yield f"demo/{path.parent.name}/{path.name}:{item.uid}", item.title, item.summary, feed.title
    labelled = list(_labelled())
    # The batch starts with the labelled items (already above), then its generated articles.
    for number, record in enumerate(cli_match.batch()[len(labelled) :]):
        yield f"generated:{number}", record["title"], record["summary"], None
    run_together = "\n".join(f"{title}. {summary}" for _key, title, summary, _feed in labelled)
    for size in (5_000, 20_000, 40_000):
        yield f"long:{size}", "Transfer news", run_together[:size], None


def _labelled() -> Iterator[tuple[str, str, str, str | None]]:
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                yield f"{path.name}:{record['id']}", record["title"], record["summary"], record.get("feed")


def plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready values (enums by value)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot() -> list[dict[str, Any]]:
    """One record per item: language, mentions, rumours (all fields) and provisional names."""
    catalogue = load_catalogue(SEEDS)
    matcher = Matcher(catalogue)
    sources = load_sources(SEEDS / "sources.toml")
    records = []
    for key, title, summary, feed in items():
        match = matcher.match_item(title, summary)
        feed_source = sources.for_feed(None, feed)
        rumours = extract_rumours(match, catalogue, sources=sources, feed_source=feed_source)
        provisional = detect(match, catalogue, sources=sources)
        language = getattr(match.document, "language", None)
        records.append(
            {
                "item": key,
                "language": language,
                "mentions": plain(list(match.mentions)),
                "rumours": plain(rumours),
                "provisional": plain(provisional),
            }
        )
    return records


def _differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    old = {r["item"]: r for r in before}
    new = {r["item"]: r for r in after}
    lines = [f"only before: {k}" for k in old if k not in new] + [f"only after: {k}" for k in new if k not in old]
    for key in old.keys() & new.keys():
        for part in ("language", "mentions", "rumours", "provisional"):
            if old[key][part] != new[key][part]:
                lines.append(f"{key}: {part} differ\n  before: {old[key][part]}\n  after:  {new[key][part]}")
    return sorted(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.snapshot", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("write", "check"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    records = snapshot()
    if args.action == "write":
        args.path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        print(f"{len(records)} items, {sum(len(r['rumours']) for r in records)} rumours written to {args.path}")
        return 0
    before = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line]
    differences = _differences(before, json.loads(json.dumps(records, ensure_ascii=False)))
    for line in differences:
        print(line)
    rumours = sum(len(r["rumours"]) for r in records)
    mentions = sum(len(r["mentions"]) for r in records)
    verdict = "identical" if not differences else f"{len(differences)} differences"
    print(f"{len(records)} items, {mentions} mentions, {rumours} rumours: {verdict}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
