"""`make bench`: start-up, matching, end-to-end ingest, outbox delivery, catalogue import, heat charts and the size of
a busy day's digest, each as a ratio to a baseline run in the same process.

    python -m bench [--quick]

Numbers vary 10-40% between runs on a shared VM; compare ratios, not absolute rates, across machines.
"""

from __future__ import annotations

import argparse
import asyncio

from bench import catalogue_import, charts, delivery, digest, ingest, matching, startup


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not a measurement)")
    args = parser.parse_args()
    print("== start-up (full catalogue) ==")
    startup.run()
    print("\n== matching throughput ==")
    matching.run(quick=args.quick)
    print("\n== end-to-end ingest (local HTTP server -> parse -> match -> rumours -> SQLite) ==")
    asyncio.run(ingest.run(quick=args.quick))
    print("\n== outbox delivery (routes in parallel vs one at a time) ==")
    asyncio.run(delivery.run(quick=args.quick))
    print("\n== `mercato catalogue import` (whole command, shipped seeds; target 20,000 rows <= 10 s) ==")
    catalogue_import.run(quick=args.quick)
    print("\n== heat chart (lines + drawing, off the event loop; target <= 300 ms) ==")
    charts.run(quick=args.quick)
    print("\n== a busy day's digest (one message, one embed) ==")
    digest.run(quick=args.quick)


if __name__ == "__main__":
    main()
