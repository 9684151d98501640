"""SQL for stories and their reports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import aiosqlite

from bot.models import Deal, NewReport, Report, Stage, Story, StoryDecision
from bot.storage.db import Database, from_db, to_db

# The open stories of a batch's (player, club) pairs, oldest first so the newest wins per pair.
OPEN_STORIES: Final = """
SELECT s.*
FROM json_each(:pairs) AS j
JOIN stories s ON s.player_id = json_extract(j.value, '$[0]') AND s.to_club_id = json_extract(j.value, '$[1]')
WHERE s.last_at >= :since
ORDER BY s.last_at
"""
MAX_STORY_ID: Final = "SELECT COALESCE(max(id), 0) FROM stories"
INSERT_STORY: Final = """
INSERT INTO stories (id, player_id, to_club_id, from_club_id, stage, deal, fee, head_item_id, first_at, last_at)
VALUES (:id, :player_id, :to_club_id, :from_club_id, :stage, :deal, :fee, :head_item_id, :first_at, :last_at)
"""
UPDATE_STORY: Final = """
UPDATE stories SET stage = :stage, last_at = :last_at, from_club_id = :from_club_id, deal = :deal, fee = :fee
WHERE id = :id
"""
INSERT_REPORT: Final = """
INSERT INTO reports (story_id, item_id, outlet, cited, tier, known_source, stage, deal, fee, negated, rejected,
    published_at, evidence)
VALUES (:story_id, :item_id, :outlet, :cited, :tier, :known_source, :stage, :deal, :fee, :negated, :rejected,
    :published, :evidence)
ON CONFLICT DO NOTHING
"""
_SELECT: Final = "SELECT * FROM stories"
REPORTS_OF: Final = """
SELECT r.*, i.link, i.title, i.feed_id FROM reports r JOIN items i ON i.id = r.item_id
WHERE r.story_id IN (SELECT value FROM json_each(:ids))
ORDER BY r.published_at, r.item_id
"""
LATEST: Final = "SELECT max(last_at) FROM stories"
# A digest's stories: those of the followed players and clubs with a report in its day.
ABOUT: Final = """
SELECT * FROM stories WHERE last_at >= :since AND (
    player_id IN (SELECT value FROM json_each(:ids)) OR to_club_id IN (SELECT value FROM json_each(:ids))
    OR from_club_id IN (SELECT value FROM json_each(:ids)))
ORDER BY last_at DESC LIMIT :limit
"""
_UPDATED: Final = frozenset({"id", "stage", "last_at", "from_club_id", "deal", "fee"})
STORY_IDS_OF_ITEM: Final = "SELECT story_id FROM reports WHERE item_id = :item_id"


def _story_row(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "player_id": story.player_id,
        "to_club_id": story.to_club_id,
        "from_club_id": story.from_club_id,
        "stage": story.stage.value,
        "deal": story.deal.value if story.deal else None,
        "fee": story.fee,
        "head_item_id": story.head_item_id,
        "first_at": to_db(story.first_at),
        "last_at": to_db(story.last_at),
    }


def _report_row(report: NewReport) -> dict[str, Any]:
    rumour = report.rumour
    return {
        "story_id": report.story_id,
        "item_id": report.item_id,
        "outlet": rumour.outlet,
        "cited": rumour.cited,
        "tier": rumour.tier,
        "known_source": int(rumour.known_source),
        "stage": rumour.stage.value,
        "deal": rumour.deal.value if rumour.deal else None,
        "fee": rumour.fee,
        "negated": int(rumour.negated),
        "rejected": int(rumour.rejected),
        "published": to_db(report.published),
        # What the language layer read (issue 12, the "Why?" button): kept as it was read, not re-read later.
        "evidence": json.dumps([{"wording": e.wording, "start": e.start, "end": e.end, "text": e.text}
                                for e in rumour.evidence], ensure_ascii=False),
    }


def _story(row: aiosqlite.Row, reports: Sequence[Report] = ()) -> Story:
    return Story(
        id=int(row["id"]),
        player_id=row["player_id"],
        to_club_id=row["to_club_id"],
        from_club_id=row["from_club_id"],
        stage=Stage(row["stage"]),
        deal=Deal(row["deal"]) if row["deal"] else None,
        fee=row["fee"],
        head_item_id=row["head_item_id"],
        first_at=from_db(row["first_at"]),
        last_at=from_db(row["last_at"]),
        reports=tuple(reports),
    )


async def candidate_stories(
    conn: aiosqlite.Connection, pairs: Sequence[tuple[str, str]], since: datetime
) -> tuple[list[Story], int]:
    """Inside a write transaction: the stories of these pairs active since ``since``, and the next free id."""
    if not pairs:
        return [], 0
    async with conn.execute(OPEN_STORIES, {"pairs": json.dumps(sorted(set(pairs))), "since": to_db(since)}) as cur:
        rows = await cur.fetchall()
    async with conn.execute(MAX_STORY_ID) as cursor:
        max_row = await cursor.fetchone()
    return [_story(r) for r in rows], (int(max_row[0]) if max_row else 0) + 1


async def write_decision(conn: aiosqlite.Connection, decision: StoryDecision) -> None:
    """Inside a write transaction: open, update and add reports as the story decider decided."""
    await conn.executemany(INSERT_STORY, [_story_row(s) for s in decision.opened.values()])
    await conn.executemany(
        UPDATE_STORY, [{k: v for k, v in _story_row(s).items() if k in _UPDATED} for s in decision.changed.values()]
    )
    await conn.executemany(INSERT_REPORT, [_report_row(r) for r in decision.reports])


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
        feed_id=row["feed_id"],
    )


class StoryStore:
    """Stories and reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _with_reports(self, rows: list[aiosqlite.Row]) -> list[Story]:
        if not rows:
            return []
        ids = [int(r["id"]) for r in rows]
        trail: dict[int, list[Report]] = defaultdict(list)
        for report_row in await self._db.fetchall(REPORTS_OF, {"ids": json.dumps(ids)}):
            trail[int(report_row["story_id"])].append(_report(report_row))
        return [_story(r, trail[int(r["id"])]) for r in rows]

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

    async def about(self, entity_ids: Sequence[str], since: datetime, *, limit: int = 500) -> list[Story]:
        """Stories with a report since ``since`` whose player or either club is one of ``entity_ids``, newest first."""
        if not entity_ids:
            return []
        params = {"ids": json.dumps(sorted(set(entity_ids))), "since": to_db(since), "limit": limit}
        return await self._with_reports(await self._db.fetchall(ABOUT, params))

    async def of_item(self, item_id: int) -> list[Story]:
        """The stories an item reported."""
        ids = [int(r[0]) for r in await self._db.fetchall(STORY_IDS_OF_ITEM, {"item_id": item_id})]
        rows = await self._db.fetchall(
            _SELECT + " WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(ids)}
        )
        return await self._with_reports(rows)
