"""Child process for the crash tests: one pipeline poll, killed with SIGKILL right after commit N.

Usage: ``python tests/alerts/crash_child.py DB NOW_ISO`` with ``MERCATO_KILL_AFTER_COMMIT=N`` (0: never).
It counts the write transactions that COMMIT during the poll (the database's one ``transaction()``
seam: every write goes through it) and kills its own process after the N-th, as a power cut or an
OOM kill would. Without a kill it prints the number of commits the poll made.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, when run as a script

from bot.app import open_app
from bot.config import Settings
from bot.services import build_services
from bot.storage.db import Database

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def arm(kill_after: int) -> list[int]:
    """Count commits from now on; SIGKILL this process right after commit number ``kill_after``."""
    commits = [0]
    original = Database.transaction

    @asynccontextmanager
    async def counted(self: Database) -> AsyncIterator[aiosqlite.Connection]:
        async with original(self) as conn:
            yield conn
        commits[0] += 1
        if commits[0] == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    Database.transaction = counted  # type: ignore[method-assign]
    return commits


async def main(db: str, now: datetime, kill_after: int) -> None:
    settings = Settings(db_path=Path(db), seeds_dir=SEEDS, allow_private_feeds=True)
    app = await open_app(settings, now=now, add_default_feeds=False)
    try:
        _, pipeline = build_services(app, now=lambda: now)
        await app.storage.feeds.make_all_due(now)
        commits = arm(kill_after)
        await pipeline.poll(now)
        print(f"commits={commits[0]}")
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], datetime.fromisoformat(sys.argv[2]), int(os.environ.get("MERCATO_KILL_AFTER_COMMIT", "0"))))
