"""`mercato match --jsonl` on a large batch: worker processes give the same lines, in order, as one process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import bot.batch
from bot.batch import MIN_PARALLEL_LINES, match_batch
from bot.catalogue import Matcher, load_catalogue
from bot.sources import load_sources

ROOT = Path(__file__).resolve().parent.parent


def _batch() -> str:
    """Every labelled item, a blank line and a broken one, repeated past the parallel threshold."""
    lines = []
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                lines.append(json.dumps({"title": item["title"], "summary": item["summary"]}, ensure_ascii=False))
    while len(lines) < MIN_PARALLEL_LINES + 50:
        lines += lines
    lines = lines[: MIN_PARALLEL_LINES + 50]
    lines[7:7] = ["", "not json"]
    return "\n".join(lines) + "\n"


def _run(text: str, *, from_file: bool) -> tuple[int, str, str]:
    catalogue = load_catalogue(ROOT / "seeds")
    out, err = io.StringIO(), io.StringIO()
    status = match_batch(io.StringIO(text), catalogue, Matcher(catalogue), load_sources(ROOT / "seeds" / "sources.toml"),
                         from_file=from_file, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.skipif(not hasattr(bot.batch.os, "sched_getaffinity"), reason="no fork on this platform")
def test_worker_processes_write_what_one_process_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _batch()
    one = _run(text, from_file=False)  # standard input: always read here, as a stream
    monkeypatch.setattr(bot.batch, "_workers", lambda: 2)  # two readers even on a one-CPU machine
    shared = _run(text, from_file=True)
    assert shared == one
    status, out, err = one
    assert status == 1 and err == "line 9: not a JSON object with title and summary; skipped\n"
    assert len(out.splitlines()) == MIN_PARALLEL_LINES + 50 + 1  # one line per line, the blank one aside
    assert sum('"rumours": [{' in line for line in out.splitlines()) > 100
