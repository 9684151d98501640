"""`make bench`: start-up, matching, end-to-end ingest, outbox delivery, catalogue import, heat charts, the size
of a busy day's digest and scale, each against a baseline run in the same process.

    python -m bench [--quick] [--only startup|matching|ingest|delivery|import|charts|digest|scale]

The scale section builds its 10,000- and 100,000-item states on first use (about a minute) and keeps them
in the temp directory (``bench/state.py``).

Numbers vary 10-40% between runs on a shared VM; compare ratios, not absolute rates, across machines.
"""

from __future__ import annotations

import argparse
import asyncio

from bench import catalogue_import, charts, delivery, digest, ingest, matching, scale, startup

SECTIONS = ("startup", "matching", "ingest", "delivery", "import", "charts", "digest", "scale")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not a measurement)")
    parser.add_argument("--only", choices=SECTIONS, help="run one section")
    args = parser.parse_args()
    wanted = [args.only] if args.only else list(SECTIONS)
    if "startup" in wanted:
        print("== start-up (full catalogue) ==")
        startup.run()
    if "matching" in wanted:
        print("\n== matching throughput ==")
        matching.run(quick=args.quick)
    if "ingest" in wanted:
        print("\n== end-to-end ingest (local HTTP server -> parse -> match -> rumours -> SQLite) ==")
        asyncio.run(ingest.run(quick=args.quick))
    if "delivery" in wanted:
        print("\n== outbox delivery (routes in parallel vs one at a time) ==")
        asyncio.run(delivery.run(quick=args.quick))
    if "import" in wanted:
        print("\n== `mercato catalogue import` (whole command, shipped seeds; target 20,000 rows <= 10 s) ==")
        catalogue_import.run(quick=args.quick)
    if "charts" in wanted:
        print("\n== heat chart (lines + drawing, off the event loop; target <= 300 ms) ==")
        charts.run(quick=args.quick)
    if "digest" in wanted:
        print("\n== a busy day's digest (one message, one embed) ==")
        digest.run(quick=args.quick)
    if "scale" in wanted:
        print("\n== scale: commands, routing and planning at 100x today's data ==")
        asyncio.run(scale.run(quick=args.quick))


if __name__ == "__main__":
    main()
