"""SQL for stories and their reports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
# A club's or a player's stories since a time with their reports, in ONE query (a read is a round trip
# to the connection's thread): the stories newest first, optionally only older than a given one
# (keyset), only the newest :limit, and only those whose heat may still reach a floor. A story of
# stage S with n reports, the newest d whole days old, is never hotter than n * per_report(S) / 2**d
# (bot.stories.heat_ceiling, with whole days: the database never leaves out one that could count).
_STORIES_WITH_REPORTS: Final = """
WITH chosen AS MATERIALIZED (
    SELECT s.* FROM stories s
    WHERE s.{column} = :key AND s.last_at >= :since AND (s.last_at, s.id) < (:before_at, :before_id)
        AND (:floor <= 0 OR (SELECT count(*) FROM reports n WHERE n.story_id = s.id)
            * json_extract(:per_report, '$.' || s.stage)
            >= :floor * (1 << max(0, min(62, CAST(julianday(:now) - julianday(s.last_at) AS INTEGER)))))
    ORDER BY s.last_at DESC, s.id DESC LIMIT :limit
)
SELECT s.id, s.player_id, s.to_club_id, s.from_club_id, s.stage, s.deal, s.fee, s.head_item_id, s.first_at, s.last_at,
    r.item_id, r.outlet, r.tier, r.stage, r.published_at, r.known_source, r.cited, i.link, i.title, i.feed_id
FROM chosen s LEFT JOIN reports r ON r.story_id = s.id LEFT JOIN items i ON i.id = r.item_id
ORDER BY s.last_at DESC, s.id DESC, r.published_at, r.item_id
"""
OF_CLUB: Final = _STORIES_WITH_REPORTS.format(column="to_club_id")
OF_PLAYER: Final = _STORIES_WITH_REPORTS.format(column="player_id")
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


# Rows of _STORIES_WITH_REPORTS are read by position: a name lookup scans the row's twenty columns.
def _story_at(row: Sequence[Any]) -> Story:
    return Story(
        id=row[0], player_id=row[1], to_club_id=row[2], from_club_id=row[3], stage=Stage(row[4]),
        deal=Deal(row[5]) if row[5] else None, fee=row[6], head_item_id=row[7], first_at=from_db(row[8]),
        last_at=from_db(row[9]),
    )


def _report_at(row: Sequence[Any]) -> Report:
    return Report(
        item_id=row[10], outlet=row[11], tier=row[12], stage=Stage(row[13]), published=from_db(row[14]),
        known_source=bool(row[15]), cited=row[16], link=row[17], title=row[18], feed_id=row[19],
    )


@dataclass(frozen=True, slots=True)
class HeatBar:
    """Leave out the stories whose heat at ``now`` cannot reach ``floor``; ``per_report``: each stage's
    highest heat per report when fresh (``bot.stories.heat_ceiling`` of one report)."""

    now: datetime
    floor: float
    per_report: Mapping[Stage, float]


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

    async def for_club(self, club_id: str, since: datetime, *, before: Story | None = None, bar: HeatBar | None = None,
                       limit: int | None = None) -> list[Story]:
        """Stories linking players with a club (as the destination) since ``since``, newest first.

        ``before``: only stories older than that one; ``bar``: only those whose heat may reach it;
        ``limit``: only the newest so many.
        """
        return await self._stories(OF_CLUB, club_id, since, before, bar, limit)

    async def for_player(self, player_id: str, since: datetime, *, before: Story | None = None,
                         bar: HeatBar | None = None, limit: int | None = None) -> list[Story]:
        """A player's stories since ``since``, newest first (the options as for :meth:`for_club`)."""
        return await self._stories(OF_PLAYER, player_id, since, before, bar, limit)

    async def _stories(self, sql: str, key: str, since: datetime, before: Story | None, bar: HeatBar | None,
                       limit: int | None) -> list[Story]:
        params = {
            "key": key,
            "since": to_db(since),
            "before_at": to_db(before.last_at) if before else "9999",  # after every ISO-8601 time
            "before_id": before.id if before else 0,
            "floor": bar.floor if bar else 0.0,
            "per_report": json.dumps({stage.value: f for stage, f in bar.per_report.items()}) if bar else "{}",
            "now": to_db(bar.now) if bar else "",
            "limit": -1 if limit is None else limit,
        }
        stories: dict[int, Story] = {}
        trails: dict[int, list[Report]] = defaultdict(list)
        for row in await self._db.fetchall(sql, params):
            if row[0] not in stories:
                stories[row[0]] = _story_at(row)
            if row[10] is not None:  # NULL: a story without reports (LEFT JOIN)
                trails[row[0]].append(_report_at(row))
        return [replace(story, reports=tuple(trails[story_id])) for story_id, story in stories.items()]

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
