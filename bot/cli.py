"""The `mercato` command line: run, demo, match, poll, feeds… `--db PATH` overrides MERCATO_DB, anywhere on the line.

Every failure an operator can cause or meet (bad input, an unusable database, Discord unreachable) is
one line on stderr and a non-zero exit status; its traceback goes to the log at DEBUG.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeAlias, cast

import bot
from bot import native
from bot.batch import describe_article, match_batch
from bot.catalogue.cache import load_reader
from bot.catalogue_cli import add_catalogue_parser, run_catalogue
from bot.config import Settings
from bot.describe import match_to_text
from bot.errors import ConfigError, InvalidInput, MercatoError
from bot.heap import building
from bot.language.pack import available_languages
from bot.log import setup_logging
from bot.models import EntityKind
from bot.ops_cli import add_ops_parsers, run_ops
from bot.sources import load_sources
from bot.text import html_to_text

log = logging.getLogger(__name__)
if TYPE_CHECKING:  # not subscriptable at run time
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
# The commands that open the database or the network import what they need themselves (bot.app, the
# feed fetcher, the services): `mercato match` starts without them.
EXIT_USAGE = 2
DEMO_CHART = Path(tempfile.gettempdir()) / "mercato-demo-heat.png"
MAX_SINCE_HOURS = 24 * 365 * 10


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (subcommand parsers inherit it)."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` and where to read more, then exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def version() -> str:
    """Mercato's version, as installed (or the source tree's, when run from a checkout)."""
    from importlib import metadata  # only for --version: every other command starts without it

    try:
        return metadata.version("mercato")
    except metadata.PackageNotFoundError:
        return bot.__version__


def _hours(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number of hours") from None
    if not 1 <= value <= MAX_SINCE_HOURS:
        raise argparse.ArgumentTypeError(f"expected hours from 1 to {MAX_SINCE_HOURS} (ten years)")
    return value


def _accept_everywhere(parser: argparse.ArgumentParser, *flags: str, **kwargs: Any) -> None:
    """Let every subcommand take ``flags`` too, so `mercato stories --db X` works like `mercato --db X stories`."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                # SUPPRESS: a subcommand that is not given the flag keeps the value given before it.
                sub.add_argument(*flags, default=argparse.SUPPRESS, **kwargs)
                _accept_everywhere(sub, *flags, **kwargs)


class _Version(argparse.Action):
    """``--version``: worked out only when asked (reading the installed metadata costs every command time)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> NoReturn:
        print(f"mercato {version()}; reading code: {native.status()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand."""
    parser = Parser(prog="mercato", description="Football transfer rumours for Discord.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and which reading code runs")
    parser.add_argument("--db", type=Path, help="database file (overrides MERCATO_DB)")
    # Typed as plain ArgumentParsers for the helpers that add to it; they are Parsers (one-line errors) all the same.
    sub = cast("Subparsers", parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))

    run = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.add_argument("--sync", action="store_true", help="sync slash commands with Discord at start-up")

    demo = sub.add_parser("demo", help="run the whole pipeline offline on the bundled sample feeds")
    demo.add_argument("--chart", type=Path, metavar="FILE.png",
                      help=f"where to write the demo's heat chart (default: {DEMO_CHART})")

    match = sub.add_parser("match", help="show the players, clubs and rumours an article mentions")
    match.add_argument(
        "file", nargs="?", default="-", help="article file: title on the first line, body after (- = stdin)"
    )
    mode = match.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument(
        "--jsonl", action="store_true", help='batch: each input line {"title", "summary"} -> one JSON line'
    )
    match.add_argument(
        "--explain", action="store_true", help="under each rumour, the wordings (seeds/wordings) and text behind it"
    )
    match.add_argument(
        "--lang", choices=[*available_languages(), "auto"], default="auto",
        help="the article's language (default auto: a --jsonl line's \"lang\" if it has one, else told from the text)",
    )

    poll = sub.add_parser("poll", help="poll the configured feeds into the database")
    poll.add_argument("--once", action="store_true", required=True, help="run one poll cycle and exit")

    stories = sub.add_parser("stories", help="list stories in the database with their reports")
    stories.add_argument("--json", action="store_true", help="print a JSON array")
    stories.add_argument("--since", type=_hours, default=48, metavar="HOURS", help="stories reported in the last HOURS")

    shortlist = sub.add_parser("shortlist", help="the players linked with a club, hottest first")
    shortlist.add_argument("club", help="a club name or nickname, e.g. milan")
    shortlist.add_argument("--json", action="store_true", help="print one JSON object")

    chart = sub.add_parser("chart", help="draw the heat chart of a club's or a player's stories as a PNG")
    chart.add_argument("name", metavar="CLUB|PLAYER", help="a club or a player, e.g. milan or dragusin")
    chart.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.png", help="where to write the PNG")

    feeds = sub.add_parser("feeds", help="manage the operator's global feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_sub.add_parser("add", help="add a feed").add_argument("url")
    feeds_sub.add_parser("remove", help="remove a feed").add_argument("url")
    feeds_sub.add_parser("list", help="list feeds with their health")

    add_catalogue_parser(sub)
    add_ops_parsers(sub)
    _accept_everywhere(parser, "--db", type=Path, help="database file (overrides MERCATO_DB)")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Read settings from the environment and apply command-line overrides."""
    settings = Settings.from_env()
    return replace(settings, db_path=args.db) if args.db else settings


def main(
    argv: list[str] | None = None, *, run_bot: Callable[[Settings, bool], int] | None = None,
    leave: Callable[[int], NoReturn] | None = None,
) -> int:
    """Run the CLI; return the exit status. ``run_bot`` starts the Discord bot and ``leave`` ends the process
    at once after `mercato match`, which leaves nothing open (both given by the entry point)."""
    args = build_parser().parse_args(argv)
    status = _run(args, run_bot)
    if leave is not None and args.command == "match":
        leave(status)
    return status


def _run(args: argparse.Namespace, run_bot: Callable[[Settings, bool], int] | None) -> int:
    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    setup_logging(
        "WARNING" if args.command in ("match", "demo") else settings.log_level, secrets=(settings.discord_token,)
    )
    try:
        return _dispatch(settings, args, run_bot)
    except ConfigError as exc:
        log.debug("mercato %s: configuration error", args.command, exc_info=True)
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except MercatoError as exc:
        log.debug("mercato %s failed", args.command, exc_info=True)  # the traceback, for whoever asks for it
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _dispatch(settings: Settings, args: argparse.Namespace, run_bot: Callable[[Settings, bool], int] | None) -> int:
    if args.command == "run":
        if not settings.discord_token:
            print(NO_TOKEN, file=sys.stderr)
            return EXIT_USAGE
        if run_bot is None:
            print("The Discord bot is started through `mercato run` (bot.__main__).", file=sys.stderr)
            return EXIT_USAGE
        return run_bot(settings, args.sync)
    if args.command == "catalogue":
        return run_catalogue(settings, args)
    if args.command == "match":
        return cmd_match(settings, args)
    if args.command in ("backup", "restore", "health"):
        return run_ops(settings, args)
    handlers: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
        "demo": _demo,
        "poll": cmd_poll,
        "feeds": cmd_feeds,
        "stories": cmd_stories,
        "shortlist": cmd_shortlist,
        "chart": cmd_chart,
    }
    import asyncio  # the commands above start without it

    return asyncio.run(handlers[args.command](settings, args))


NO_TOKEN = """\
DISCORD_TOKEN is not set, so the bot cannot connect to Discord.

  1. Create an application at https://discord.com/developers/applications, add a Bot, and copy its token.
  2. Put it in the environment or in a .env file next to where you run Mercato:
         DISCORD_TOKEN=your-token-here
     (see .env.example for every setting).
  3. Run `make run` (or `mercato run --sync` the first time, to register the slash commands).

To try Mercato without a token, run `make demo`."""


def _read_article(path: str) -> tuple[str, str]:
    name = "standard input" if path == "-" else path
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Cannot read {name}: {exc.strerror or exc}") from exc
    title, _, body = _utf8(raw, name).strip("\ufeff").partition("\n")
    return html_to_text(title), html_to_text(body)


def _utf8(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}): save it as UTF-8"
        ) from exc


def _open_jsonl(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")  # closed by the caller's with-block
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}") from exc


def cmd_match(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato match`: print what an article (or a JSON-lines batch) mentions."""
    with building():
        catalogue, matcher = load_reader(settings.seeds_dir, settings.cache_dir)
        sources = load_sources(settings.seeds_dir / "sources.toml")
    language = None if args.lang == "auto" else args.lang
    if args.jsonl:
        with _open_jsonl(args.file) as source:
            try:
                return match_batch(source, catalogue, matcher, sources, from_file=args.file != "-",
                                   language=language)
            except UnicodeDecodeError as exc:
                name = "standard input" if args.file == "-" else args.file
                raise InvalidInput(f"{name} is not UTF-8 text: save it as UTF-8") from exc
    title, body = _read_article(args.file)
    view = describe_article(title, body, catalogue, matcher, sources, language=language)
    print(json.dumps(view, ensure_ascii=False) if args.json else match_to_text(view, explain=args.explain))
    return 0


async def cmd_poll(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato poll --once`: one poll cycle of every feed, one line per feed; alerts go to the outbox."""
    from bot.app import open_app
    from bot.services import build_services

    now = datetime.now(UTC)
    app = await open_app(settings, now=now)
    try:
        if not [f for f in await app.storage.feeds.all() if not f.paused]:
            print("No feeds to poll. Add one with `mercato feeds add URL`.")
            return 0
        await app.storage.feeds.make_all_due(now)
        _, pipeline = build_services(app, now=lambda: now)
        result, _, enqueued = await pipeline.poll(now)
        for report in result.reports:
            print(report.summary())
        if enqueued.added or enqueued.edits:
            print(f"{enqueued.added} alert(s) and {enqueued.edits} edit(s) queued for the bot to deliver.")
        return 0 if all(r.outcome != "error" for r in result.reports) else 1
    finally:
        await app.close()


async def cmd_feeds(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato feeds add|remove|list` on the operator's global list (the use cases of `/feeds`)."""
    from bot.app import open_app
    from bot.feedlist import FeedList
    from bot.feeds.guard import validate_feed_url

    now = datetime.now(UTC)
    if args.feeds_command == "add":  # checked first: a URL that cannot be a feed touches no database
        url = await validate_feed_url(args.url, allow_private=settings.allow_private_feeds)
    app = await open_app(settings, now=now)
    feeds = FeedList(app.storage, allow_private=settings.allow_private_feeds)
    try:
        if args.feeds_command == "add":
            line = await feeds.add(url, now=now)
            print(f"Added {line.url}. It is polled on the next cycle; its current items are stored, not alerted."
                  if line.health == "not polled yet" else f"{line.url}: {line.health}")
        elif args.feeds_command == "remove":
            print(f"Removed {await feeds.remove(args.url)}.")
        else:
            lines = await feeds.lines(None)
            if not lines:
                print("No feeds. Add one with `mercato feeds add URL`.")
            for line in lines:
                print(f"{line.url}{f' ({line.title})' if line.title else ''}: {line.health}")
        return 0
    finally:
        await app.close()


async def cmd_stories(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato stories`: stories with their trail of reports."""
    from bot import intel
    from bot.app import open_app

    app = await open_app(settings, now=datetime.now(UTC), add_default_feeds=False)
    try:
        views = await intel.recent(app.storage, app.catalogue, datetime.now(UTC), hours=args.since)
    finally:
        await app.close()
    if args.json:
        print(json.dumps([v.to_dict() for v in views], ensure_ascii=False))
        return 0
    if not views:
        print(f"No stories in the last {args.since} hours. Poll some feeds first (`mercato poll --once`).")
    for v in views:
        story = v.to_dict()
        print(
            f"{v.player}: {v.from_club or '?'} -> {v.to_club}  [{story['stage']}, heat {v.heat:.2f}]  {story['title']}"
        )
        for r in story["reports"]:
            cited = f" citing {r['cited']}" if r["cited"] else ""
            tier = f"tier {r['tier']}" if r["tier"] is not None else "tier unknown"
            print(f"    {r['time'][:16]}  {r['outlet']}{cited} ({tier}, {r['stage']})  {r['link'] or ''}")
    return 0


async def cmd_shortlist(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato shortlist CLUB`: who is linked with a club, hottest first."""
    from bot import intel
    from bot.app import open_app

    app = await open_app(settings, now=datetime.now(UTC), add_default_feeds=False)
    try:
        clubs = app.catalogue.resolve(args.club, EntityKind.CLUB) or app.catalogue.search(
            args.club, kind=EntityKind.CLUB
        )
        if not clubs:
            print(f"No club called “{args.club}” in the catalogue; try its usual English name.", file=sys.stderr)
            return 1
        club = clubs[0]
        views = await intel.shortlist(app.storage, app.catalogue, club.id, datetime.now(UTC))
    finally:
        await app.close()
    if args.json:
        players = [
            {"name": v.player, "from": v.from_club, "stage": v.story.stage.value, "outlets": v.outlets, "heat": v.heat}
            for v in views
        ]
        print(json.dumps({"club": club.name, "players": players}, ensure_ascii=False))
        return 0
    print(f"Shortlist for {club.name}:")
    if not views:
        print("  (no players linked yet)")
    for rank, v in enumerate(views, start=1):
        source, tier = v.best_source()
        deal = f", {v.story.deal.value}" if v.story.deal else ""
        said = f", best source {source} (tier {tier})" if source else ""
        print(
            f"  {rank}. {v.player} ({v.from_club or '?'}): {v.story.stage.value}{deal}, "
            f"{v.outlets} outlet(s), heat {v.heat:.2f}{said}"
        )
    return 0


async def cmd_chart(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato chart CLUB|PLAYER -o FILE.png`: the heat chart /shortlist or /rumours attaches, from every feed."""
    import asyncio

    from bot.app import open_app
    from bot.charts import draw_heat_chart
    from bot.charts.desk import write_png
    from bot.charts.series import MAX_LINES
    from bot.charts.stories import chart_for

    if args.output.suffix.lower() != ".png":
        raise InvalidInput(f"{args.output} does not end in .png: the chart is a PNG image.")
    app = await open_app(settings, now=datetime.now(UTC), add_default_feeds=False)
    try:
        entity = app.catalogue.find(args.name) or next(iter(app.catalogue.resolve(args.name)), None)
        if entity is None:
            entity = next(iter(app.catalogue.search(args.name, limit=1)), None)
        if entity is None:
            raise InvalidInput(f"No club or player called “{args.name}” in the catalogue; try its usual name.")
        request = await chart_for(app.storage, app.catalogue, entity, datetime.now(UTC))
    finally:
        await app.close()
    if not request.labelled:
        raise InvalidInput(f"No stories about {entity.name} yet: nothing to draw. Poll some feeds first.")
    png = await asyncio.to_thread(draw_heat_chart, request)
    write_png(args.output, png)
    lines = len(request.labelled[:MAX_LINES])
    print(f"Heat chart of {entity.name} ({lines} {'story' if lines == 1 else 'stories'}) written to {args.output}")
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import run_demo  # the demo's sample server is only needed here

    return await run_demo(settings, chart_path=args.chart or DEMO_CHART)
