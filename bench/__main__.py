"""`make bench`: start-up, matching, reading (and its linearity), end-to-end ingest (and against the `reader`
library), `mercato match --jsonl`, outbox delivery and catalogue import, each as a ratio to a baseline run in the
same process.

    python -m bench [--quick]

Numbers vary 10-40% between runs on a shared VM; compare ratios, not absolute rates, across machines.
"""

from __future__ import annotations

import argparse
import asyncio

from bench import catalogue_import, cli_match, delivery, ingest, linearity, matching, reading, startup, versus_reader


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not a measurement)")
    args = parser.parse_args()
    print("== start-up (full catalogue) ==")
    startup.run()
    print("\n== matching throughput ==")
    matching.run(quick=args.quick)
    print("\n== reading the labelled items (matching, rumours, provisional names) ==")
    reading.run(quick=args.quick)
    print("\n== every reading stage is linear in the item's length ==")
    linearity.run(quick=args.quick)
    print("\n== end-to-end ingest (local HTTP server -> parse -> match -> rumours -> SQLite) ==")
    asyncio.run(ingest.run(quick=args.quick))
    print("\n== first poll against the `reader` library (same feeds, throwaway virtualenv) ==")
    asyncio.run(versus_reader.run(quick=args.quick))
    print("\n== `mercato match --jsonl` end to end (new process, distinct articles) ==")
    cli_match.run(quick=args.quick)
    print("\n== outbox delivery (routes in parallel vs one at a time) ==")
    asyncio.run(delivery.run(quick=args.quick))
    print("\n== `mercato catalogue import` (whole command, shipped seeds; target 20,000 rows <= 10 s) ==")
    catalogue_import.run(quick=args.quick)


if __name__ == "__main__":
    main()
