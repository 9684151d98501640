"""`mercato demo`: the whole pipeline, offline, on the sample feeds in `seeds/demo/`.

A local HTTP server on 127.0.0.1 serves each sample feed as it looks "before" and, three hours of
demo time later, "after". A fan follows `dragusin` and `milan`. The first poll stores what the new
feeds already carry without alerting; the second poll prints the alerts the new items would become.
The clock is frozen at the seed article's date, so the output is the same on every run.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from bot import intel
from bot.app import App, open_app
from bot.config import Settings
from bot.describe import display_summary, rumour_to_dict
from bot.following import Following, describe_entity
from bot.ingest import IngestedItem, PollResult
from bot.models import EntityKind
from bot.routing import concerned_follows
from bot.stories import primary

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
    alerted_stories: dict[str, str] = {}  # alert key -> title of the alert that carries it
    for ingested in second.alerts:
        hits = (await concerned_follows(app.storage, ingested.item, ingested.feed)).get(GUILD, [])
        if not hits:
            quiet.append(f"“{ingested.item.title}”: mentions nothing the fan follows")
            continue
        alerted += 1
        reasons = sorted({catalogue.get(h.entity_id).name if h.entity_id else f"“{h.term}”" for h in hits})
        head = primary(ingested.stories)
        if head is not None and head.key in alerted_stories:
            # The bot edits the message it already posted for this story instead of posting again.
            story = await app.storage.stories.get(head.story_id)
            outlets = ", ".join(story.outlets) if story else "?"
            print(f"  ── “{ingested.item.title}” reports the same story as “{alerted_stories[head.key]}”:")
            print(f"     that alert is edited, not posted again (now reported by {outlets}).")
            continue
        for update in ingested.stories:
            alerted_stories.setdefault(update.key, ingested.item.title)
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
    summary = display_summary(item.summary)
    return "\n".join([
        f"  ── {item.title}",
        f"     {outlet} · {item.published_at:%d %b %Y %H:%M} UTC · {item.link}",
        f"     {summary}",
        f"     Players: {'; '.join(players) or '-'}",
        f"     Clubs:   {'; '.join(clubs) or '-'}",
        *[f"     Rumour:  {line}" for line in _rumour_lines(app, ingested)],
        f"     Because the fan follows: {', '.join(reasons)}",
    ])


def _rumour_lines(app: App, ingested: IngestedItem) -> list[str]:
    lines = []
    for rumour in ingested.rumours:
        view = rumour_to_dict(rumour, app.catalogue)
        deal = f", {view['deal'].replace('_', ' ')}" if view["deal"] else ""
        fee = f", {view['fee']}" if view["fee"] else ""
        source = view["source"]
        said = f" · {source['outlet']} (tier {source['tier']})" if source["outlet"] else ""
        stage = view["stage"].replace("_", " ") + (" (denied)" if view["negated"] else "")
        lines.append(f"{view['player']}: {view['from'] or '?'} → {view['to']} [{stage}{deal}{fee}]{said}")
    return lines


async def _print_shortlist(app: App, query: str) -> None:
    clubs = app.catalogue.resolve(query, EntityKind.CLUB)
    if not clubs:
        return
    club = clubs[0]
    views = await intel.shortlist(app.storage, app.catalogue, club.id, DEMO_LATER)
    print(f"\n/shortlist {query} -> {club.name} (hottest first):")
    for rank, v in enumerate(views, start=1):
        player = app.catalogue.get(v.story.player_id)
        source, tier = v.best_source()
        print(f"  {rank}. {describe_entity(player, app.catalogue)}: {v.story.stage.value.replace('_', ' ')}, "
              f"{v.outlets} outlet(s), heat {v.heat:.2f}, best source {source} (tier {tier})")
    if not views:
        print("  (no players linked yet)")
