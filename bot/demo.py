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

from bot.alerts.routing import concerned_follows
from bot.app import App, open_app
from bot.charts.desk import write_png
from bot.config import Settings
from bot.delivery import SentMessage
from bot.describe import match_to_dict, match_to_text, rumour_to_dict
from bot.ingest import PollResult
from bot.models import AlertView, DigestView, TargetKind
from bot.services import Services, build_services

DEMO_START = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
DEMO_LATER = DEMO_START + timedelta(hours=3)
DIGEST_AT = "12:30"  # the fan's daily digest, half an hour after the second poll
GUILD, FAN, CHANNEL = 1, 1001, 501
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


async def run_demo(settings: Settings, *, seeds_dir: Path | None = None, chart_path: Path | None = None) -> int:
    """Run the demo into a temporary database; print what happens (and write the heat chart to ``chart_path``).

    Returns the exit status.
    """
    seeds = seeds_dir or settings.seeds_dir
    server = SampleFeedServer(seeds / "demo")
    await server.start()
    with tempfile.TemporaryDirectory(prefix="mercato-demo-") as tmp:
        demo_settings = replace(settings, db_path=Path(tmp) / "demo.sqlite3", allow_private_feeds=True,
                                seeds_dir=seeds)
        app = await open_app(demo_settings, now=DEMO_START, add_default_feeds=False)
        try:
            await _play(app, server, chart_path)
        finally:
            await app.close()
            await server.stop()
    return 0


async def _play(app: App, server: SampleFeedServer, chart_path: Path | None) -> None:
    catalogue = app.catalogue
    print("Mercato demo: the whole pipeline, offline, on the sample feeds in seeds/demo/")
    print(f"Catalogue: {len(catalogue.clubs())} clubs, {len(catalogue.players())} players. "
          f"Feeds served from {server.base_url} (127.0.0.1).")
    clock = [DEMO_START]
    services, pipeline = build_services(app, now=lambda: clock[0])
    for name in server.feed_names():
        await services.feed_list.add(f"{server.base_url}/{name}.xml", now=DEMO_START)
    await services.set_alert_channel(guild_id=GUILD, channel_id=CHANNEL)
    followed = []
    for query in FAN_FOLLOWS:
        result = await services.follow(guild_id=GUILD, user_id=FAN, query=query)
        followed.append(result.label)
        print(f"A fan types /follow {query} -> follows {result.label}")

    print(f"\n[{DEMO_START:%H:%M}] First poll. New feeds: what they already carry is stored, never alerted.")
    first, _, _ = await pipeline.poll(DEMO_START)
    _print_reports(first)

    server.phase = "after"
    clock[0] = DEMO_LATER
    print(f"\n[{DEMO_LATER:%H:%M}] Three hours later, the feeds have new items. Second poll:")
    second, alerts, _ = await pipeline.poll(DEMO_LATER)
    _print_reports(second)

    print("\nAlerts posted in the server's alert channel (one per story; other outlets join it):")
    console = ConsoleSender()
    await pipeline.dispatcher.drain(console)
    if not console.posted:
        print("  (none)")
    quiet, read = [], []
    for ingested in alerts:
        if await concerned_follows(app.storage, ingested.item, ingested.feed):
            read.append(ingested)
        else:
            quiet.append(f"“{ingested.item.title}”: mentions nothing the fan follows")
    print("\nWhat Mercato read in the items behind those alerts:")
    for ingested in read:
        rumours = [rumour_to_dict(r, catalogue) for r in ingested.rumours]
        print(f"  ── {ingested.item.title}")
        print(textwrap.indent(match_to_text(match_to_dict(ingested.match, catalogue, rumours)), "     "))
    stored_not_alertable = [r for r in second.reports if r.outcome == "new" and r.new_items > r.alertable]
    if stored_not_alertable:
        hours = app.settings.max_item_age_hours
        quiet.append(f"{sum(r.new_items - r.alertable for r in stored_not_alertable)} new item(s) older than "
                     f"the {hours} h cut-off: stored, never alerted")
    if quiet:
        print("\nNot alerted:")
        for line in quiet:
            print(f"  - {line}")

    chart = await _print_shortlist(services, "milan")
    if chart_path is not None and chart is not None:
        write_png(chart_path, chart)
        print(f"\nHeat chart /shortlist milan attaches (each player's heat over time): {chart_path}")
    await _digest(services, clock)
    print(f"\nDone. The fan follows: {', '.join(followed)}.")


async def _digest(services: Services, clock: list[datetime]) -> None:
    """The fan turns on a daily digest by DM; half an hour later the digest job sends it."""
    setting = await services.digests.set(guild_id=GUILD, user_id=FAN, mode="daily", at=DIGEST_AT)
    assert setting.next_at is not None
    clock[0] = setting.next_at
    print(f"\n[{clock[0]:%H:%M}] The fan's daily digest (/digest me daily {DIGEST_AT}), as the DM shows it:")
    await services.digests.enqueue_due(clock[0])
    console = ConsoleSender()
    await services.pipeline.dispatcher.drain(console)
    if not console.posted:
        print("  (no story today)")


def _print_reports(result: PollResult) -> None:
    for report in result.reports:
        print(f"  {report.summary()}")


class ConsoleSender:
    """The demo's Discord: prints each alert the dispatcher delivers, as the embed would show it."""

    def __init__(self) -> None:
        self.posted = 0

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Print a channel alert."""
        self.posted += 1
        print(alert_text(view))
        return SentMessage(self.posted, channel_id)

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Print a DM (the demo fan's mode is the default, so none are sent outside deadline windows)."""
        self.posted += 1
        print("  (DM) " + alert_text(view).lstrip())
        return SentMessage(self.posted, user_id)

    async def edit(
        self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool
    ) -> SentMessage:
        """Print an edit."""
        print(f"  (edited message {message_id})\n" + alert_text(view))
        return SentMessage(message_id, channel_id)

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        """Print a notice to the server's admins."""
        print(f"  (notice) {text}")
        return True

    async def send_digest(self, kind: TargetKind, target_id: int, view: DigestView, *, guild_id: int,
                          nonce: str) -> SentMessage:
        """Print a digest."""
        self.posted += 1
        print(digest_text(view))
        return SentMessage(self.posted, target_id)


def alert_text(view: AlertView) -> str:
    """An alert as text: what the Discord embed shows, line by line."""
    facts = [f"{name} {value}" for name, value in (("stage", view.stage), ("deal", view.deal), ("fee", view.fee))
             if value]
    if view.source:
        facts.append(f"best source {view.source}" + (f" (tier {view.tier})" if view.tier is not None else ""))
    if view.outlet_count is not None:
        facts.append(f"{view.outlet_count} outlet(s)")
    if view.heat is not None:
        facts.append(f"heat {view.heat:.2f}")
    return "\n".join([
        f"  ── {view.title}",
        f"     {view.outlet or '?'} · {view.published:%d %b %Y %H:%M} UTC · {view.link or ''}",
        f"     {view.summary}",
        *[f"     {line}" for line in view.lines],
        *([f"     {' · '.join(facts)}"] if facts else []),
        *([f"     Also reported by: {', '.join(view.outlets)}"] if view.outlets else []),
        *([f"     Latest report: {view.latest_report}"] if view.latest_report else []),
    ])


def digest_text(view: DigestView) -> str:
    """A digest as text: what the Discord embed shows, line by line."""
    rows = [f"  ── Transfer digest · {view.day:%A %d %B} · the 24 h to {view.until:%H:%M} ({view.zone})"]
    for rank, e in enumerate(view.entries, start=1):
        current = f" ({e.from_club})" if e.from_club else ""
        rows.append(f"     {rank}. {e.player}{current} → {e.to_club} · {e.stage} · {e.outlets} outlet(s) · "
                    f"heat {e.heat:.2f}")
        rows.append(f"        latest: {e.title} · {e.outlet}")
    if view.more:
        rows.append(f"     … and {view.more} more")
    return "\n".join(rows)


async def _print_shortlist(services: Services, query: str) -> bytes | None:
    """Print /shortlist's answer; return its heat chart (PNG)."""
    shortlist = await services.shortlist(guild_id=GUILD, query=query)
    print(f"\n/shortlist {query} -> {shortlist.club} (hottest first):")
    for rank, e in enumerate(shortlist.entries, start=1):
        current = f" ({e.current_club})" if e.current_club else ""
        source = f", best source {e.source} (tier {e.tier})" if e.source else ""
        print(f"  {rank}. {e.player}{current}: {e.stage}, {e.outlets} outlet(s), heat {(e.heat or 0):.2f}{source}")
    if not shortlist.entries:
        print("  (no players linked yet)")
    return shortlist.chart
