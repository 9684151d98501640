"""`mercato demo`: the whole pipeline, offline, on the sample feeds in `seeds/demo/`.

A local HTTP server on 127.0.0.1 serves each sample feed as it looks "before" and, three hours of
demo time later, "after". A fan follows `dragusin` and `milan`. The first poll stores what the new
feeds already carry without alerting; the second poll prints the alerts the new items would become.
The clock is frozen at the seed article's date, so the output is the same on every run.
"""

from __future__ import annotations

import hashlib
import tempfile
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from bot.app import App, open_app
from bot.config import Settings
from bot.following import Following, describe_entity
from bot.ingest import IngestedItem, PollResult
from bot.models import EntityKind
from bot.routing import concerned_follows

DEMO_START = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
DEMO_LATER = DEMO_START + timedelta(hours=3)
GUILD, FAN = 1, 1001
FAN_FOLLOWS = ("dragusin", "milan")


class SampleFeedServer:
    """Serves `seeds/demo/<feed>/{before,after}.xml` at `/<feed>.xml`, with ETags for conditional GET."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.phase = "before"
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def feed_names(self) -> list[str]:
        """Sample feeds, by folder name."""
        return sorted(p.name for p in self.root.iterdir() if (p / "before.xml").is_file())

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self.root / name / f"{self.phase}.xml"
        if name not in self.feed_names() or not path.is_file():
            raise web.HTTPNotFound
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/xml; charset=utf-8"})

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        app = web.Application()
        app.router.add_get("/{name}.xml", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()


async def run_demo(settings: Settings, *, seeds_dir: Path | None = None) -> int:
    """Run the demo into a temporary database; print what happens. Returns the exit status."""
    seeds = seeds_dir or settings.seeds_dir
    server = SampleFeedServer(seeds / "demo")
    await server.start()
    with tempfile.TemporaryDirectory(prefix="mercato-demo-") as tmp:
        demo_settings = replace(settings, db_path=Path(tmp) / "demo.sqlite3", allow_private_feeds=True,
                                seeds_dir=seeds)
        app = await open_app(demo_settings, now=DEMO_START, add_default_feeds=False)
        try:
            await _play(app, server)
        finally:
            await app.close()
            await server.stop()
    return 0


async def _play(app: App, server: SampleFeedServer) -> None:
    catalogue = app.catalogue
    print("Mercato demo: the whole pipeline, offline, on the sample feeds in seeds/demo/")
    print(f"Catalogue: {len(catalogue.clubs())} clubs, {len(catalogue.players())} players. "
          f"Feeds served from {server.base_url} (127.0.0.1).")
    for name in server.feed_names():
        await app.storage.feeds.add(f"{server.base_url}/{name}.xml", now=DEMO_START)

    following = Following(app.storage, catalogue, limit=app.settings.follow_limit)
    followed = []
    for query in FAN_FOLLOWS:
        target, _ = await following.follow(guild_id=GUILD, user_id=FAN, query=query, now=DEMO_START)
        followed.append(target.label)
        print(f"A fan types /follow {query} -> follows {target.label}")

    print(f"\n[{DEMO_START:%H:%M}] First poll. New feeds: what they already carry is stored, never alerted.")
    first = await app.ingestor.poll_due(DEMO_START)
    _print_reports(first)

    server.phase = "after"
    print(f"\n[{DEMO_LATER:%H:%M}] Three hours later, the feeds have new items. Second poll:")
    second = await app.ingestor.poll_due(DEMO_LATER)
    _print_reports(second)

    print("\nAlerts for the fan:")
    quiet: list[str] = []
    alerted = 0
    for ingested in second.alerts:
        hits = (await concerned_follows(app.storage, ingested.item, ingested.feed)).get(GUILD, [])
        if not hits:
            quiet.append(f"“{ingested.item.title}”: mentions nothing the fan follows")
            continue
        alerted += 1
        reasons = sorted({catalogue.get(h.entity_id).name if h.entity_id else f"“{h.term}”" for h in hits})
        print(_render_alert(app, ingested, reasons))
    if not alerted:
        print("  (none)")
    stored_not_alertable = [r for r in second.reports if r.outcome == "new" and r.new_items > r.alertable]
    if stored_not_alertable:
        hours = app.settings.max_item_age_hours
        quiet.append(f"{sum(r.new_items - r.alertable for r in stored_not_alertable)} new item(s) older than "
                     f"the {hours} h cut-off: stored, never alerted")
    if quiet:
        print("\nNot alerted:")
        for line in quiet:
            print(f"  - {line}")

    await _print_shortlist(app, "milan")
    print(f"\nDone. The fan follows: {', '.join(followed)}.")


def _print_reports(result: PollResult) -> None:
    for report in result.reports:
        print(f"  {report.summary()}")


def _render_alert(app: App, ingested: IngestedItem, reasons: list[str]) -> str:
    catalogue = app.catalogue
    item, match = ingested.item, ingested.match
    players: list[str] = []
    clubs: list[str] = []
    for entity_id in match.entity_ids():
        entity = catalogue.get(entity_id)
        spans = ", ".join(f"“{s}”" for s in match.spans_of(entity_id))
        line = f"{describe_entity(entity, catalogue)} [{spans}]"
        (players if entity.kind is EntityKind.PLAYER else clubs).append(line)
    outlet = ingested.feed.title or ingested.feed.url
    summary = textwrap.shorten(item.summary, 220, placeholder=" …")
    return "\n".join([
        f"  ── {item.title}",
        f"     {outlet} · {item.published_at:%d %b %Y %H:%M} UTC · {item.link}",
        f"     {summary}",
        f"     Players: {'; '.join(players) or '-'}",
        f"     Clubs:   {'; '.join(clubs) or '-'}",
        f"     Because the fan follows: {', '.join(reasons)}",
    ])


async def _print_shortlist(app: App, query: str) -> None:
    clubs = app.catalogue.resolve(query, EntityKind.CLUB)
    if not clubs:
        return
    club = clubs[0]
    rows = await app.storage.items.co_mentioned_players(club.id, since=DEMO_LATER - timedelta(days=14))
    print(f"\n/shortlist {query} -> {club.name}:")
    for rank, row in enumerate(rows, start=1):
        player = app.catalogue.get(row.player_id)
        print(f"  {rank}. {describe_entity(player, app.catalogue)}: {row.outlets} outlet(s), "
              f"latest {row.latest:%d %b %H:%M}")
    if not rows:
        print("  (no players linked yet)")
