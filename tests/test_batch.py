"""`mercato match --jsonl` on a large batch: worker processes give the same lines, in order, as one process."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot.batch
from bot.batch import MIN_PARALLEL_LINES, match_batch
from bot.catalogue import Matcher, load_catalogue
from bot.heap import building, frozen
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


def test_the_command_prints_every_line_before_it_leaves(tmp_path: Path) -> None:
    """`mercato match --jsonl` ends its process without tearing the heap down (bot.heap.leave): whatever
    it wrote to a pipe, on stdout and stderr, still arrives whole, and the status is kept."""
    text = _batch()
    batch = tmp_path / "batch.jsonl"
    batch.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as a pipe usually is
    done = subprocess.run(
        [sys.executable, "-m", "bot", "match", "--jsonl", str(batch)], capture_output=True, text=True, cwd=ROOT,
        env=env, timeout=120,
    )
    status, out, err = _run(text, from_file=True)
    assert (done.returncode, done.stdout, done.stderr) == (status, out, err)
    assert len(done.stdout) > 2**16  # more than a pipe holds: written while the parent reads


def test_start_up_collects_nothing_and_forking_freezes_the_heap_for_a_while() -> None:
    enabled = gc.isenabled()
    with building():
        assert not gc.isenabled()
    assert gc.isenabled() == enabled
    with frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0  # put back: what became garbage meanwhile can still be collected
