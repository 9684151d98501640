"""SQL for stories and their reports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import aiosqlite

from bot.rumours import Deal, Stage
from bot.storage.db import Database, from_db, to_db
from bot.stories import Report, StoryUpdate

# The open stories of a batch's (player, club) pairs, oldest first so the newest wins per pair.
OPEN_STORIES: Final = """
SELECT s.id, s.player_id, s.to_club_id, s.from_club_id, s.stage, s.deal, s.fee, s.last_at
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
    published_at)
VALUES (:story_id, :item_id, :outlet, :cited, :tier, :known_source, :stage, :deal, :fee, :negated, :rejected,
    :published)
ON CONFLICT DO NOTHING
"""
_SELECT: Final = "SELECT * FROM stories"
REPORTS_OF: Final = """
SELECT r.*, i.link, i.title, i.feed_id FROM reports r JOIN items i ON i.id = r.item_id
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



def _story_row(story: dict[str, Any]) -> dict[str, Any]:
    row = {key: value for key, value in story.items() if key != "new"}
    row["last_at"] = to_db(story["last_at"])
    if "first_at" in row:
        row["first_at"] = to_db(story["first_at"])
    return row


def _report_row(story_id: int, item_id: int, published: datetime, rumour: ReportedRumour) -> dict[str, Any]:
    return {
        "story_id": story_id,
        "item_id": item_id,
        "outlet": rumour.outlet,
        "cited": rumour.cited,
        "tier": rumour.tier,
        "known_source": int(rumour.known_source),
        "stage": rumour.stage.value,
        "deal": rumour.deal.value if rumour.deal else None,
        "fee": rumour.fee,
        "negated": int(rumour.negated),
        "rejected": int(rumour.rejected),
        "published": to_db(published),
    }


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

    async def record(
        self, item_id: int, published: datetime, rumours: Sequence[ReportedRumour], *, window: timedelta
    ) -> list[StoryUpdate]:
        """Add one item's rumours to their stories (opening new ones as needed) in one transaction."""
        return (await self.record_many([(item_id, published, rumours)], window=window))[0]

    async def record_many(
        self, entries: Sequence[tuple[int, datetime, Sequence[ReportedRumour]]], *, window: timedelta
    ) -> list[list[StoryUpdate]]:
        """Add many items' rumours to their stories in one transaction; one list of updates per entry.

        A report joins the newest story of its (player, club) pair whose last report is within
        ``window`` before it; otherwise it opens a new story. The story keeps the highest stage.
        Ids are assigned here, inside the write transaction, so the whole batch is a few statements.
        """
        results: list[list[StoryUpdate]] = [[] for _ in entries]
        pairs = sorted({(r.player_id, r.to_club_id) for _, _, rumours in entries for r in rumours})
        if not pairs:
            return results
        since = min(published for _, published, rumours in entries if rumours) - window
        async with self._db.transaction() as conn:
            async with conn.execute(OPEN_STORIES, {"pairs": json.dumps(pairs), "since": to_db(since)}) as cursor:
                rows = await cursor.fetchall()
            async with conn.execute(MAX_STORY_ID) as cursor:
                max_row = await cursor.fetchone()
            next_id = (int(max_row[0]) if max_row else 0) + 1
            open_: dict[tuple[str, str], dict[str, Any]] = {
                (r["player_id"], r["to_club_id"]): {**dict(r), "last_at": from_db(r["last_at"]), "new": False}
                for r in rows
            }
            changed: dict[int, dict[str, Any]] = {}
            reports: list[dict[str, Any]] = []
            for index in sorted(range(len(entries)), key=lambda i: entries[i][1]):
                item_id, published, rumours = entries[index]
                for rumour in rumours:
                    pair = (rumour.player_id, rumour.to_club_id)
                    story = open_.get(pair)
                    if story is None or story["last_at"] < published - window:
                        story = {
                            "id": next_id,
                            "player_id": rumour.player_id,
                            "to_club_id": rumour.to_club_id,
                            "from_club_id": rumour.from_club_id,
                            "stage": rumour.stage.value,
                            "deal": rumour.deal.value if rumour.deal else None,
                            "fee": rumour.fee,
                            "head_item_id": item_id,
                            "first_at": published,
                            "last_at": published,
                            "new": True,
                        }
                        next_id += 1
                        open_[pair] = story
                        previous = None
                    else:
                        previous = Stage(story["stage"])
                        if rumour.stage.rank > previous.rank:
                            story["stage"] = rumour.stage.value
                        story["last_at"] = max(story["last_at"], published)
                        story["from_club_id"] = story["from_club_id"] or rumour.from_club_id
                        story["deal"] = rumour.deal.value if rumour.deal else story["deal"]
                        story["fee"] = rumour.fee or story["fee"]
                    changed[story["id"]] = story
                    reports.append(_report_row(story["id"], item_id, published, rumour))
                    results[index].append(
                        StoryUpdate(
                            story["id"],
                            rumour.player_id,
                            rumour.to_club_id,
                            Stage(story["stage"]),
                            previous,
                            previous is None,
                        )
                    )
            await conn.executemany(
                INSERT_STORY,
                [_story_row(story) for story in changed.values() if story["new"]],
            )
            await conn.executemany(
                UPDATE_STORY,
                [_story_row(story) for story in changed.values() if not story["new"]],
            )
            await conn.executemany(INSERT_REPORT, reports)
        return results

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
