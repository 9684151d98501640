"""SQL for role pings (a server's rules: ping this role when an alert passes this filter) and for the
evidence kept with each story report (what the "Why?" button shows). Issue 12, migration 0008.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

import aiosqlite

from bot.models import Evidence, PingRule, Stage
from bot.storage.db import Database, to_db

COUNT_FOR_GUILD: Final = "SELECT count(*) FROM alert_pings WHERE guild_id = :guild_id"
INSERT: Final = """
INSERT INTO alert_pings (guild_id, role_id, club_id, player_id, min_stage, max_tier, created_at)
VALUES (:guild_id, :role_id, :club_id, :player_id, :min_stage, :max_tier, :now)
ON CONFLICT DO NOTHING
"""
FIND: Final = """
SELECT * FROM alert_pings WHERE guild_id = :guild_id AND role_id = :role_id
    AND COALESCE(club_id, '') = COALESCE(:club_id, '') AND COALESCE(player_id, '') = COALESCE(:player_id, '')
    AND COALESCE(min_stage, '') = COALESCE(:min_stage, '') AND COALESCE(max_tier, -1) = COALESCE(:max_tier, -1)
"""
OF_GUILDS: Final = """
SELECT * FROM alert_pings WHERE guild_id IN (SELECT value FROM json_each(:ids)) ORDER BY guild_id, id
"""
GET: Final = "SELECT * FROM alert_pings WHERE guild_id = :guild_id AND id = :id"
DELETE: Final = "DELETE FROM alert_pings WHERE guild_id = :guild_id AND id = :id"
# Routing: the servers with a rule naming a club or player this item mentions (through the partial indexes).
CONCERNED_GUILDS: Final = """
SELECT p.guild_id FROM mentions m JOIN alert_pings p ON p.club_id = m.entity_id WHERE m.item_id = :item_id
UNION
SELECT p.guild_id FROM mentions m JOIN alert_pings p ON p.player_id = m.entity_id WHERE m.item_id = :item_id
"""
EVIDENCE_OF: Final = """
SELECT item_id, evidence FROM reports WHERE story_id = :story_id AND item_id IN (SELECT value FROM json_each(:items))
"""


def _rule(row: aiosqlite.Row) -> PingRule:
    return PingRule(
        id=row["id"],
        guild_id=row["guild_id"],
        role_id=row["role_id"],
        club_id=row["club_id"],
        player_id=row["player_id"],
        min_stage=Stage(row["min_stage"]) if row["min_stage"] else None,
        max_tier=row["max_tier"],
    )


class PingStore:
    """Each server's role-ping rules."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, rule: PingRule, *, now: datetime, limit: int) -> tuple[PingRule, bool] | None:
        """Store a rule (its ``id`` is ignored): it and True if added, False if it existed; None at the limit."""
        params = {
            "guild_id": rule.guild_id,
            "role_id": rule.role_id,
            "club_id": rule.club_id,
            "player_id": rule.player_id,
            "min_stage": rule.min_stage.value if rule.min_stage else None,
            "max_tier": rule.max_tier,
            "now": to_db(now),
        }
        async with self._db.transaction() as conn:
            async with conn.execute(FIND, params) as cursor:
                existing = await cursor.fetchone()
            if existing is not None:
                return _rule(existing), False
            async with conn.execute(COUNT_FOR_GUILD, params) as cursor:
                count = await cursor.fetchone()
            if count is not None and int(count[0]) >= limit:
                return None
            async with conn.execute(INSERT, params) as cursor:
                rule_id = cursor.lastrowid
        assert rule_id is not None
        return PingRule(rule_id, rule.guild_id, rule.role_id, rule.club_id, rule.player_id, rule.min_stage,
                        rule.max_tier), True

    async def of_guild(self, guild_id: int) -> list[PingRule]:
        """One server's rules, oldest first."""
        return (await self.of_guilds([guild_id])).get(guild_id, [])

    async def of_guilds(self, guild_ids: Iterable[int]) -> dict[int, list[PingRule]]:
        """The rules of these servers, by server (servers without rules are left out)."""
        rows = await self._db.fetchall(OF_GUILDS, {"ids": json.dumps(sorted(set(guild_ids)))})
        by_guild: dict[int, list[PingRule]] = defaultdict(list)
        for row in rows:
            by_guild[int(row["guild_id"])].append(_rule(row))
        return dict(by_guild)

    async def remove(self, guild_id: int, rule_id: int) -> PingRule | None:
        """Delete one of a server's rules (never another server's); return it, or None if it has no such rule."""
        async with self._db.transaction() as conn:
            async with conn.execute(GET, {"guild_id": guild_id, "id": rule_id}) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            await conn.execute(DELETE, {"guild_id": guild_id, "id": rule_id})
        return _rule(row)

    async def concerned_guilds(self, item_id: int) -> set[int]:
        """Servers with a rule naming a club or player the item mentions."""
        return {int(r[0]) for r in await self._db.fetchall(CONCERNED_GUILDS, {"item_id": item_id})}

    async def evidence(self, story_id: int, item_ids: Sequence[int]) -> dict[int, tuple[Evidence, ...]]:
        """The wordings and spans behind each of these items' reports of a story, as read at ingest."""
        rows = await self._db.fetchall(EVIDENCE_OF, {"story_id": story_id, "items": json.dumps(list(item_ids))})
        return {
            int(r["item_id"]): tuple(Evidence(e["wording"], e["start"], e["end"], e["text"])
                                     for e in json.loads(r["evidence"]))
            for r in rows
        }
