"""SQL for small key/value facts about the database itself."""

from __future__ import annotations

from typing import Final

from bot.storage.db import Database

GET: Final = "SELECT value FROM meta WHERE key = :key"
SET: Final = "INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT (key) DO UPDATE SET value = :value"


class MetaStore:
    """Key/value facts (for example, whether the default feeds were added once)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """Return the value stored under ``key``."""
        row = await self._db.fetchone(GET, {"key": key})
        return None if row is None else str(row["value"])

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``."""
        await self._db.execute(SET, {"key": key, "value": value})
