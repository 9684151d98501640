"""A poll killed with SIGKILL at every commit boundary loses nothing and duplicates nothing, stories included.

A real child process runs one pipeline poll of two local feeds (three new items carrying four
rumours, one of them reported by both feeds) and kills itself right after its N-th commit; a second
child then polls again, as the restarted bot would. The database must end exactly as after one
uninterrupted poll: every item once, every story report once, every alert once in the outbox.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import open_app
from bot.config import Settings
from bot.services import build_services
from tests.conftest import SEEDS
from tests.e2e.helpers import rss
from tests.feedserver import FeedServer

CHILD = Path(__file__).with_name("crash_child.py")
T0 = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
GUILD, FAN, CHANNEL = 10, 7, 99
OLD = ("old", "Weekend fixtures preview", "Nothing about transfers.", T0 - timedelta(days=1))
CALCIO = [
    ("cm-1", "AC Milan in talks with Tottenham for Radu Drăgușin",
     "AC Milan are in talks with Tottenham over a loan for Radu Drăgușin, according to Calciomercato.",
     T0 + timedelta(minutes=10)),
    ("cm-2", "Napoli agree fee with Manchester City for Nathan Aké",
     "Napoli have agreed a fee with Manchester City for Nathan Aké.", T0 + timedelta(minutes=20)),
]
SKY = [
    ("sky-1", "Milan in talks over Drăgușin",
     "AC Milan are in talks with Tottenham over Radu Drăgușin, Sky Sports understands.", T0 + timedelta(minutes=30)),
]


async def prepare(db: Path, server: FeedServer) -> None:
    """Two feeds polled once (primed), a fan following Drăgușin and Aké, an alert channel; then the news."""
    server.add("/calcio", rss(OLD, title="Calciomercato"))
    server.add("/sky", rss(OLD, title="Sky Sports"))
    app = await open_app(Settings(db_path=db, seeds_dir=SEEDS, allow_private_feeds=True), now=T0,
                         add_default_feeds=False)
    try:
        services, pipeline = build_services(app, now=lambda: T0)
        for path in ("/calcio", "/sky"):
            await services.feed_list.add(server.url(path), now=T0)
        await pipeline.poll(T0)
        await services.set_alert_channel(guild_id=GUILD, channel_id=CHANNEL)
        for name in ("dragusin", "ake"):
            await services.follow(guild_id=GUILD, user_id=FAN, query=name)
    finally:
        await app.close()
    server.add("/calcio", rss(OLD, *CALCIO, title="Calciomercato"))
    server.add("/sky", rss(OLD, *SKY, title="Sky Sports"))


async def child(db: Path, kill_after: int) -> tuple[int, str]:
    """Run one poll in a child process; return its exit status and output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), str(db), LATER.isoformat(),
        env={"MERCATO_KILL_AFTER_COMMIT": str(kill_after), "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode()


def state(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """What must survive a crash, independent of row ids: items, mentions, story trails, outbox rows."""
    with sqlite3.connect(db) as conn:
        def q(sql: str) -> list[tuple[object, ...]]:
            return sorted(conn.execute(sql).fetchall(), key=repr)

        return {
            "items": q("SELECT uid, feed_id FROM items"),
            "mentions": q("SELECT i.uid, m.entity_id FROM mentions m JOIN items i ON i.id = m.item_id"),
            "reports": q(
                "SELECT s.player_id, s.to_club_id, s.stage, i.uid, r.outlet, r.stage FROM reports r "
                "JOIN stories s ON s.id = r.story_id JOIN items i ON i.id = r.item_id"),
            "stories": q("SELECT player_id, to_club_id, stage FROM stories"),
            "outbox": q(
                "SELECT s.player_id, s.to_club_id, o.target_kind, o.target_id, o.status, i.uid FROM outbox o "
                "JOIN items i ON i.id = o.item_id "
                "LEFT JOIN stories s ON o.alert_key LIKE 'story:' || s.id || ':%'"),
            "feeds": q("SELECT url, failures, primed FROM feeds"),
        }


async def test_a_kill_at_every_commit_boundary_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """SIGKILL right after each commit of the poll, then a restart: the end state equals the uninterrupted one."""
    async with FeedServer() as server:
        template = tmp_path / "template.sqlite3"
        await prepare(template, server)
        reference = tmp_path / "reference.sqlite3"
        shutil.copy(template, reference)
        status, out = await child(reference, 0)
        assert status == 0, out
        commits = int(out.rsplit("commits=", 1)[1].split()[0])
        expected = state(reference)
        # The reference: three new items, two stories with one alert each, the Sky report on the Milan story.
        assert commits >= 3  # two feeds' ingest commits and the outbox commit, at least
        assert len(expected["items"]) == 4  # the old item and three new ones
        assert {r[4] for r in expected["reports"] if r[1] == "club:ac-milan"} == {"Calciomercato.com", "Sky Sports"}
        assert len(expected["outbox"]) == 2 and all(row[3] == GUILD for row in expected["outbox"])

        for kill_after in range(1, commits + 1):
            db = tmp_path / f"kill-{kill_after}.sqlite3"
            shutil.copy(template, db)
            status, out = await child(db, kill_after)
            assert status == -signal.SIGKILL, f"kill after commit {kill_after} did not happen: {out}"
            status, out = await child(db, 0)  # the restarted bot's next poll
            assert status == 0, out
            assert state(db) == expected, f"after a kill at commit {kill_after} of {commits}"
