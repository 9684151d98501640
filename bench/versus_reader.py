"""A first poll of 100 local feeds x 50 items: Mercato (with rumours and stories) against the `reader` library.

`reader` (lemon24/reader, the engine of discord-rss-bot) is installed into a throwaway virtualenv in a
temporary directory (``python -m venv`` + ``pip install reader==READER_VERSION``) and runs its
``update_feeds()`` in a subprocess over the very same feeds, served from 127.0.0.1 by this process. Each
side is timed around its update call only (databases created and feeds added beforehand), best of a few
runs. If the install fails (no network, no wheel for this Python), the comparison is skipped with a note.

Mercato reads each item (matching, rumours, provisional names), stores items, mentions and story reports;
`reader` parses and stores entries. Target (issue 9): Mercato no slower than `reader`.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.feedserver import feeds_served_elsewhere
from bench.ingest import _ingest, bench_feeds
from bot.catalogue import Catalogue, load_catalogue

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
READER_VERSION = "3.26"  # the newest release that still runs on Python 3.11 (3.27 needs 3.12)
FEEDS, PER_FEED = 100, 50

_READER_SCRIPT = """
import json, sys, time
from reader import make_reader
reader = make_reader(sys.argv[1])
for url in json.loads(sys.stdin.read()):
    reader.add_feed(url)
start = time.perf_counter()
reader.update_feeds()
seconds = time.perf_counter() - start
counts = reader.get_entry_counts()
print(json.dumps({"seconds": seconds, "entries": counts.total}))
reader.close()
"""


def install_reader(folder: Path) -> Path | None:
    """A virtualenv in ``folder`` with `reader` installed; its Python, or None (with a note) when that fails."""
    venv = folder / "reader-venv"
    python = venv / "bin" / "python"
    steps = (
        [sys.executable, "-m", "venv", str(venv)],
        # reader's vendored feedparser imports ``sgmllib`` (upstream feedparser pulls in sgmllib3k for it).
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"reader=={READER_VERSION}",
         "sgmllib3k==1.0.0"],
    )
    for step in steps:
        try:
            subprocess.run(step, capture_output=True, check=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            last = detail.decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
            print(f"  reader {READER_VERSION}: not installed ({last[0]}); comparison skipped")
            return None
    return python


async def _reader_poll(python: Path, urls: list[str], folder: Path, run: int) -> tuple[float, int]:
    """(seconds, entries stored) of one `reader` update over ``urls`` into a fresh database."""
    process = await asyncio.create_subprocess_exec(
        str(python), "-c", _READER_SCRIPT, str(folder / f"reader-{run}.sqlite"),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(json.dumps(urls).encode())
    if process.returncode != 0:
        raise RuntimeError(f"reader failed: {err.decode(errors='replace').strip().splitlines()[-1:]}")
    result = json.loads(out)
    return float(result["seconds"]), int(result["entries"])


async def run(*, quick: bool = False) -> None:
    """Print both first-poll times and their ratio."""
    runs = 1 if quick else 3
    catalogue = load_catalogue(SEEDS)
    bodies = bench_feeds(catalogue, FEEDS, PER_FEED)
    async with feeds_served_elsewhere(bodies) as port:  # neither side pays for the server
        await _compare(bodies, port, catalogue, runs)


async def _compare(bodies: dict[str, bytes], port: int, catalogue: Catalogue, runs: int) -> None:
    urls = [f"http://127.0.0.1:{port}{path}" for path in bodies]
    print(f"{FEEDS} feeds x {PER_FEED} items from 127.0.0.1, first poll into a fresh database (best of {runs})")
    with tempfile.TemporaryDirectory() as tmp:
        mercato = min([await _ingest(bodies, port, catalogue, rumours=True) for _ in range(runs)])
        seconds, items, stories, _errors = mercato
        print(f"  Mercato (rumours, stories)  : {seconds:6.2f} s  ({items:,} items, {stories:,} stories)")
        python = await asyncio.to_thread(install_reader, Path(tmp))
        if python is None:
            return
        theirs = min([await _reader_poll(python, urls, Path(tmp), n) for n in range(runs)])
        label = f"reader {READER_VERSION} update_feeds()"
        print(f"  {label:28s}: {theirs[0]:6.2f} s  ({theirs[1]:,} entries)  [baseline]")
        print(f"  ratio                       : {seconds / theirs[0]:6.2f}x reader's time (target <= 1.00)")
