"""SQL for stories and their reports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import aiosqlite

from bot.rumours import Deal, Stage
from bot.storage.db import Database, from_db, to_db
from bot.stories import Report, StoryUpdate

OPEN_STORY: Final = """
SELECT id, stage, last_at, from_club_id, deal, fee FROM stories
WHERE player_id = :player_id AND to_club_id = :to_club_id AND last_at >= :since
ORDER BY last_at DESC LIMIT 1
"""
INSERT_STORY: Final = """
INSERT INTO stories (player_id, to_club_id, from_club_id, stage, deal, fee, head_item_id, first_at, last_at)
VALUES (:player_id, :to_club_id, :from_club_id, :stage, :deal, :fee, :item_id, :published, :published)
RETURNING id
"""
UPDATE_STORY: Final = """
UPDATE stories SET stage = :stage, last_at = max(last_at, :published),
    from_club_id = COALESCE(from_club_id, :from_club_id), deal = COALESCE(:deal, deal), fee = COALESCE(:fee, fee)
WHERE id = :id
"""
INSERT_REPORT: Final = """
INSERT INTO reports (story_id, item_id, outlet, cited, tier, known_source, stage, deal, fee, negated, rejected,
    published_at)
VALUES (:story_id, :item_id, :outlet, :cited, :tier, :known_source, :stage, :deal, :fee, :negated, :rejected,
    :published)
ON CONFLICT DO NOTHING
"""
_SELECT: Final = "SELECT * FROM stories"
REPORTS_OF: Final = """
SELECT r.*, i.link, i.title FROM reports r JOIN items i ON i.id = r.item_id
WHERE r.story_id IN (SELECT value FROM json_each(:ids))
ORDER BY r.published_at, r.item_id
"""
LATEST: Final = "SELECT max(last_at) FROM stories"
STORY_IDS_OF_ITEM: Final = "SELECT story_id FROM reports WHERE item_id = :item_id"


@dataclass(frozen=True, slots=True)
class ReportedRumour:
    """A rumour as one item reports it, with the source the report rests on."""

    player_id: str
    to_club_id: str
    from_club_id: str | None
    stage: Stage
    deal: Deal | None
    fee: str | None
    negated: bool
    rejected: bool
    outlet: str
    tier: int | None
    known_source: bool
    cited: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """A stored story with its trail of reports, oldest first (the head is ``reports[0]``)."""

    id: int
    player_id: str
    to_club_id: str
    from_club_id: str | None
    stage: Stage
    deal: Deal | None
    fee: str | None
    head_item_id: int
    first_at: datetime
    last_at: datetime
    reports: tuple[Report, ...]

    @property
    def outlets(self) -> list[str]:
        """Distinct outlets, in the order they reported."""
        return list(dict.fromkeys(r.outlet for r in self.reports))

    @property
    def best_tier(self) -> int | None:
        """The most reliable tier among the reports (lower is better)."""
        tiers = [r.tier for r in self.reports if r.tier is not None]
        return min(tiers) if tiers else None


def _report(row: aiosqlite.Row) -> Report:
    return Report(
        item_id=row["item_id"],
        outlet=row["outlet"],
        tier=row["tier"],
        stage=Stage(row["stage"]),
        published=from_db(row["published_at"]),
        link=row["link"],
        title=row["title"],
        known_source=bool(row["known_source"]),
        cited=row["cited"],
    )


class StoryStore:
    """Stories and reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, item_id: int, published: datetime, rumours: Sequence[ReportedRumour], *, window: timedelta
    ) -> list[StoryUpdate]:
        """Add one item's rumours to their stories (opening new ones as needed) in one transaction."""
        updates: list[StoryUpdate] = []
        async with self._db.transaction() as conn:
            for rumour in rumours:
                params = {
                    "player_id": rumour.player_id,
                    "to_club_id": rumour.to_club_id,
                    "from_club_id": rumour.from_club_id,
                    "stage": rumour.stage.value,
                    "deal": rumour.deal.value if rumour.deal else None,
                    "fee": rumour.fee,
                    "item_id": item_id,
                    "published": to_db(published),
                    "since": to_db(published - window),
                }
                async with conn.execute(OPEN_STORY, params) as cursor:
                    row = await cursor.fetchone()
                if row is None:
                    async with conn.execute(INSERT_STORY, params) as cursor:
                        created = await cursor.fetchone()
                    assert created is not None  # RETURNING always yields the new row
                    story_id, previous, stage = int(created[0]), None, rumour.stage
                else:
                    story_id, previous = int(row["id"]), Stage(row["stage"])
                    stage = rumour.stage if rumour.stage.rank > previous.rank else previous
                    await conn.execute(UPDATE_STORY, {**params, "id": story_id, "stage": stage.value})
                await conn.execute(
                    INSERT_REPORT,
                    {
                        **params,
                        "story_id": story_id,
                        "outlet": rumour.outlet,
                        "cited": rumour.cited,
                        "tier": rumour.tier,
                        "known_source": int(rumour.known_source),
                        "negated": int(rumour.negated),
                        "rejected": int(rumour.rejected),
                    },
                )
                updates.append(StoryUpdate(story_id, rumour.player_id, rumour.to_club_id, stage, previous, row is None))
        return updates

    async def _with_reports(self, rows: list[aiosqlite.Row]) -> list[Story]:
        if not rows:
            return []
        ids = [int(r["id"]) for r in rows]
        trail: dict[int, list[Report]] = defaultdict(list)
        for report_row in await self._db.fetchall(REPORTS_OF, {"ids": json.dumps(ids)}):
            trail[int(report_row["story_id"])].append(_report(report_row))
        return [
            Story(
                id=int(r["id"]),
                player_id=r["player_id"],
                to_club_id=r["to_club_id"],
                from_club_id=r["from_club_id"],
                stage=Stage(r["stage"]),
                deal=Deal(r["deal"]) if r["deal"] else None,
                fee=r["fee"],
                head_item_id=r["head_item_id"],
                first_at=from_db(r["first_at"]),
                last_at=from_db(r["last_at"]),
                reports=tuple(trail[int(r["id"])]),
            )
            for r in rows
        ]

    async def latest(self) -> datetime | None:
        """When the newest report of any story was published."""
        row = await self._db.fetchone(LATEST)
        return from_db(row[0]) if row and row[0] else None

    async def get(self, story_id: int) -> Story | None:
        """One story with its reports."""
        rows = await self._db.fetchall(_SELECT + " WHERE id = :id", {"id": story_id})
        stories = await self._with_reports(rows)
        return stories[0] if stories else None

    async def since(self, since: datetime, *, limit: int = 200) -> list[Story]:
        """Stories with a report since ``since``, newest first."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE last_at >= :since ORDER BY last_at DESC LIMIT :limit",
            {"since": to_db(since), "limit": limit},
        )
        return await self._with_reports(rows)

    async def for_club(self, club_id: str, since: datetime) -> list[Story]:
        """Stories linking players with a club (as the destination), newest first."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE to_club_id = :club AND last_at >= :since ORDER BY last_at DESC",
            {"club": club_id, "since": to_db(since)},
        )
        return await self._with_reports(rows)

    async def for_player(self, player_id: str, since: datetime) -> list[Story]:
        """A player's stories, newest first."""
        rows = await self._db.fetchall(
            _SELECT + " WHERE player_id = :player AND last_at >= :since ORDER BY last_at DESC",
            {"player": player_id, "since": to_db(since)},
        )
        return await self._with_reports(rows)

    async def of_item(self, item_id: int) -> list[Story]:
        """The stories an item reported."""
        ids = [int(r[0]) for r in await self._db.fetchall(STORY_IDS_OF_ITEM, {"item_id": item_id})]
        rows = await self._db.fetchall(
            _SELECT + " WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(ids)}
        )
        return await self._with_reports(rows)
