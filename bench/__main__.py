"""`make bench`: every figure next to a baseline measured in the same process.

    python -m bench [--quick] [--only SECTION]

Sections: start-up, matching, reading (and its linearity in an item's length), end-to-end ingest (and
a first poll against the `reader` library), `mercato match --jsonl`, outbox delivery, catalogue import,
heat charts, a busy day's digest, and scale (commands, routing and planning at 100x today's data).
The scale section builds its 10,000- and 100,000-item states on first use (about a minute) and keeps
them in the temp directory (``bench/state.py``).

Numbers vary 10-40% between runs on a shared VM; compare ratios, not absolute rates, across machines.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from bench import (
    catalogue_import,
    charts,
    cli_match,
    delivery,
    digest,
    ingest,
    linearity,
    matching,
    reading,
    scale,
    startup,
    versus_reader,
)
from bot import native
from bot.config import auto_read_workers

# name -> (heading, runner taking quick)
SECTIONS: dict[str, tuple[str, Callable[[bool], None]]] = {
    "startup": ("start-up (full catalogue)", lambda quick: startup.run()),
    "matching": ("matching throughput", lambda quick: matching.run(quick=quick)),
    "reading": ("reading the labelled items (matching, rumours, provisional names)",
                lambda quick: reading.run(quick=quick)),
    "linearity": ("every reading stage is linear in the item's length", lambda quick: linearity.run(quick=quick)),
    "ingest": ("end-to-end ingest (local HTTP server -> parse -> match -> rumours -> SQLite)",
               lambda quick: asyncio.run(ingest.run(quick=quick))),
    "reader": ("first poll against the `reader` library (same feeds, throwaway virtualenv)",
               lambda quick: asyncio.run(versus_reader.run(quick=quick))),
    "jsonl": ("`mercato match --jsonl` end to end (new process, distinct articles)",
              lambda quick: cli_match.run(quick=quick)),
    "delivery": ("outbox delivery (routes in parallel vs one at a time)",
                 lambda quick: asyncio.run(delivery.run(quick=quick))),
    "import": ("`mercato catalogue import` (whole command, shipped seeds; target 20,000 rows <= 10 s)",
               lambda quick: catalogue_import.run(quick=quick)),
    "charts": ("heat chart (lines + drawing, off the event loop; target <= 300 ms)",
               lambda quick: charts.run(quick=quick)),
    "digest": ("a busy day's digest (one message, one embed)", lambda quick: digest.run(quick=quick)),
    "scale": ("scale: commands, routing and planning at 100x today's data",
              lambda quick: asyncio.run(scale.run(quick=quick))),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not a measurement)")
    parser.add_argument("--only", choices=list(SECTIONS), help="run one section")
    args = parser.parse_args()
    wanted = [args.only] if args.only else list(SECTIONS)
    print(f"reading code: {native.status()}; reading processes (MERCATO_READ_WORKERS=auto): {auto_read_workers()}")
    for number, name in enumerate(wanted):
        heading, run = SECTIONS[name]
        print(f"{'' if number == 0 else chr(10)}== {heading} ==")
        run(args.quick)


if __name__ == "__main__":
    main()
