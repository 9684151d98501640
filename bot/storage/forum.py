"""SQL for story threads: which forum post carries each story (or rumour-less item) in a server's forum.

A post's row is written before Discord is asked to create the post and confirmed (``thread_id``) once
Discord answered; see migration 0010 and :mod:`bot.alerts.forum` for why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import aiosqlite

from bot.models import ForumPost, PostSubject
from bot.storage.db import Database, from_db, to_db

_COLUMNS: Final = """id, guild_id, forum_id, story_id, item_id, title, newest_before, thread_id, starter_message_id,
    starter_item_id, stage, attempted_at"""
FIND: Final = f"""
SELECT {_COLUMNS} FROM forum_posts
WHERE guild_id = :guild_id AND forum_id = :forum_id AND story_id IS :story_id AND item_id IS :item_id
"""
GET: Final = f"SELECT {_COLUMNS} FROM forum_posts WHERE id = :id"
INSERT: Final = """
INSERT INTO forum_posts (guild_id, forum_id, story_id, item_id, title, newest_before, starter_item_id, stage,
    attempted_at, updated_at)
VALUES (:guild_id, :forum_id, :story_id, :item_id, :title, :newest_before, :starter_item_id, :stage, :now, :now)
"""
# A new attempt at a post Discord never confirmed: what it will show now, and where the forum stood.
RETRY: Final = """
UPDATE forum_posts SET title = :title, newest_before = :newest_before, starter_item_id = :starter_item_id,
    stage = :stage, attempted_at = :now, updated_at = :now
WHERE id = :id AND thread_id IS NULL
"""
CONFIRM: Final = """
UPDATE forum_posts SET thread_id = :thread_id, starter_message_id = :starter_message_id, updated_at = :now
WHERE id = :id
"""
STARTER_SHOWN: Final = """
INSERT INTO forum_post_items (post_id, item_id)
SELECT id, starter_item_id FROM forum_posts WHERE id = :id AND starter_item_id IN (SELECT id FROM items)
ON CONFLICT DO NOTHING
"""
SHOWN: Final = """
INSERT INTO forum_post_items (post_id, item_id) SELECT :post_id, value FROM json_each(:ids)
WHERE value IN (SELECT id FROM items)
ON CONFLICT DO NOTHING
"""
SHOWN_OF: Final = "SELECT item_id FROM forum_post_items WHERE post_id = :post_id"
RETAGGED: Final = "UPDATE forum_posts SET stage = :stage, updated_at = :now WHERE id = :id"
FORGET: Final = "DELETE FROM forum_posts WHERE id = :id"
TAKEN: Final = "SELECT 1 FROM forum_posts WHERE thread_id = :thread_id LIMIT 1"


def _post(row: aiosqlite.Row) -> ForumPost:
    return ForumPost(
        id=row["id"],
        guild_id=row["guild_id"],
        forum_id=row["forum_id"],
        subject=PostSubject(story_id=row["story_id"], item_id=row["item_id"]),
        title=row["title"],
        newest_before=row["newest_before"],
        thread_id=row["thread_id"],
        starter_message_id=row["starter_message_id"],
        starter_item_id=row["starter_item_id"],
        stage=row["stage"],
        attempted_at=from_db(row["attempted_at"]),
    )


class ForumPostStore:
    """The forum posts of every server, one per (server, forum, story or item)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def find(self, guild_id: int, forum_id: int, subject: PostSubject) -> ForumPost | None:
        """The post about ``subject`` in a server's forum, confirmed or not, if there is one."""
        params = {"guild_id": guild_id, "forum_id": forum_id, "story_id": subject.story_id, "item_id": subject.item_id}
        row = await self._db.fetchone(FIND, params)
        return _post(row) if row else None

    async def get(self, post_id: int) -> ForumPost:
        """One post by its row id (it must exist)."""
        row = await self._db.fetchone(GET, {"id": post_id})
        if row is None:
            raise LookupError(f"no forum post {post_id}")
        return _post(row)

    async def begin(
        self,
        guild_id: int,
        forum_id: int,
        subject: PostSubject,
        *,
        title: str,
        newest_before: int,
        starter_item_id: int,
        stage: str | None,
        now: datetime,
    ) -> ForumPost:
        """Record, before asking Discord, that a post is being created (or re-created: a new attempt)."""
        params: dict[str, Any] = {
            "title": title, "newest_before": newest_before, "starter_item_id": starter_item_id, "stage": stage,
            "now": to_db(now),
        }
        existing = await self.find(guild_id, forum_id, subject)
        if existing is None:
            params |= {"guild_id": guild_id, "forum_id": forum_id, "story_id": subject.story_id,
                       "item_id": subject.item_id}
            await self._db.execute(INSERT, params)
        else:
            await self._db.execute(RETRY, params | {"id": existing.id})
        post = await self.find(guild_id, forum_id, subject)
        assert post is not None  # just written
        return post

    async def confirm(self, post_id: int, *, thread_id: int, starter_message_id: int, now: datetime) -> ForumPost:
        """Record the thread Discord created (or that was found after a crash) for a post; it shows its starter."""
        params = {"id": post_id, "thread_id": thread_id, "starter_message_id": starter_message_id,
                  "now": to_db(now)}
        async with self._db.transaction() as conn:
            await conn.execute(CONFIRM, params)
            await conn.execute(STARTER_SHOWN, {"id": post_id})
        return await self.get(post_id)

    async def shown(self, post_id: int) -> set[int]:
        """The items a post shows already (its starter's and its replies')."""
        return {int(r[0]) for r in await self._db.fetchall(SHOWN_OF, {"post_id": post_id})}

    async def mark_shown(self, post_id: int, item_ids: Iterable[int]) -> None:
        """Record that the post now shows these items (a reply Discord confirmed, or reports left out)."""
        ids = sorted(set(item_ids))
        if ids:
            await self._db.execute(SHOWN, {"post_id": post_id, "ids": json.dumps(ids)})

    async def retagged(self, post_id: int, stage: str | None, *, now: datetime) -> None:
        """Record the stage tag the post now carries."""
        await self._db.execute(RETAGGED, {"id": post_id, "stage": stage, "now": to_db(now)})

    async def forget(self, post_id: int) -> None:
        """Forget a post whose thread is gone (deleted or locked): the story's next report opens a new one."""
        await self._db.execute(FORGET, {"id": post_id})

    async def thread_taken(self, thread_id: int) -> bool:
        """Whether a thread already carries some post (so a crash recovery must not adopt it)."""
        return await self._db.fetchone(TAKEN, {"thread_id": thread_id}) is not None
