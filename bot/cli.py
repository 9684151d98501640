"""The `mercato` command line: run, demo, match, poll, feeds. `--db PATH` overrides MERCATO_DB everywhere."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.app import open_app
from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.config import Settings
from bot.describe import match_to_dict, match_to_text
from bot.errors import ConfigError, MercatoError
from bot.feeds.guard import validate_feed_url
from bot.log import setup_logging
from bot.text import html_to_text

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Describe every subcommand."""
    parser = argparse.ArgumentParser(prog="mercato", description="Football transfer rumours for Discord.")
    parser.add_argument("--db", type=Path, help="database file (overrides MERCATO_DB)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    run.add_argument("--sync", action="store_true", help="sync slash commands with Discord at start-up")

    sub.add_parser("demo", help="run the whole pipeline offline on the bundled sample feeds")

    match = sub.add_parser("match", help="show the players, clubs and rumours an article mentions")
    match.add_argument(
        "file", nargs="?", default="-", help="article file: title on the first line, body after (- = stdin)"
    )
    mode = match.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument(
        "--jsonl", action="store_true", help='batch: each input line {"title", "summary"} -> one JSON line'
    )

    poll = sub.add_parser("poll", help="poll the configured feeds into the database")
    poll.add_argument("--once", action="store_true", required=True, help="run one poll cycle and exit")

    feeds = sub.add_parser("feeds", help="manage the operator's global feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_sub.add_parser("add", help="add a feed").add_argument("url")
    feeds_sub.add_parser("remove", help="remove a feed").add_argument("url")
    feeds_sub.add_parser("list", help="list feeds with their health")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Read settings from the environment and apply command-line overrides."""
    settings = Settings.from_env()
    return replace(settings, db_path=args.db) if args.db else settings


def main(argv: list[str] | None = None, *, run_bot: Callable[[Settings, bool], int] | None = None) -> int:
    """Run the CLI; return the exit status. ``run_bot`` starts the Discord bot (given by the entry point)."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    setup_logging("WARNING" if args.command in ("match", "demo") else settings.log_level,
                  secrets=(settings.discord_token,))
    try:
        if args.command == "run":
            if not settings.discord_token:
                print(NO_TOKEN, file=sys.stderr)
                return EXIT_USAGE
            if run_bot is None:
                print("The Discord bot is started through `mercato run` (bot.__main__).", file=sys.stderr)
                return EXIT_USAGE
            return run_bot(settings, args.sync)
        if args.command == "match":
            return cmd_match(settings, args)
        handlers: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
            "demo": _demo,
            "poll": cmd_poll,
            "feeds": cmd_feeds,
        }
        return asyncio.run(handlers[args.command](settings, args))
    except MercatoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


NO_TOKEN = """\
DISCORD_TOKEN is not set, so the bot cannot connect to Discord.

  1. Create an application at https://discord.com/developers/applications, add a Bot, and copy its token.
  2. Put it in the environment or in a .env file next to where you run Mercato:
         DISCORD_TOKEN=your-token-here
     (see .env.example for every setting).
  3. Run `make run` (or `mercato run --sync` the first time, to register the slash commands).

To try Mercato without a token, run `make demo`."""


def _read_article(path: str) -> tuple[str, str]:
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    title, _, body = text.strip("\ufeff").partition("\n")
    return html_to_text(title), html_to_text(body)


def cmd_match(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato match`: print what an article (or a JSON-lines batch) mentions."""
    catalogue = load_catalogue(settings.seeds_dir)
    matcher = Matcher(catalogue)
    if args.jsonl:
        source: TextIO = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
        with source:
            return _match_jsonl(source, catalogue, matcher)
    try:
        title, body = _read_article(args.file)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    view = describe_article(title, body, catalogue, matcher)
    print(json.dumps(view, ensure_ascii=False) if args.json else match_to_text(view))
    return 0


def describe_article(title: str, body: str, catalogue: Catalogue, matcher: Matcher) -> dict[str, Any]:
    """Match one article and return the JSON view."""
    return match_to_dict(matcher.match_item(title, body), catalogue)


def _match_jsonl(lines: TextIO, catalogue: Catalogue, matcher: Matcher) -> int:
    status = 0
    out = sys.stdout
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            title = html_to_text(str(record.get("title", "")))
            summary = html_to_text(str(record.get("summary", "")))
        except (json.JSONDecodeError, AttributeError):
            print(f"line {number}: not a JSON object with title and summary; skipped", file=sys.stderr)
            out.write(json.dumps({"error": f"line {number}: invalid JSON"}) + "\n")
            status = 1
            continue
        out.write(json.dumps(describe_article(title, summary, catalogue, matcher), ensure_ascii=False) + "\n")
    return status


async def cmd_poll(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato poll --once`: one poll cycle of every due feed, one line per feed."""
    now = datetime.now(UTC)
    app = await open_app(settings, now=now)
    try:
        feeds = await app.storage.feeds.all()
        active = [f for f in feeds if not f.paused]
        if not active:
            print("No feeds to poll. Add one with `mercato feeds add URL`.")
            return 0
        result = await app.ingestor.poll(active, now)
        for report in result.reports:
            print(report.summary())
        return 0 if all(r.outcome != "error" for r in result.reports) else 1
    finally:
        await app.close()


async def cmd_feeds(settings: Settings, args: argparse.Namespace) -> int:
    """`mercato feeds add|remove|list` on the operator's global list."""
    now = datetime.now(UTC)
    app = await open_app(settings, now=now)
    try:
        if args.feeds_command == "add":
            url = await validate_feed_url(args.url, allow_private=settings.allow_private_feeds)
            existing = await app.storage.feeds.by_url(url)
            feed = await app.storage.feeds.add(url, now=now)
            if existing is not None and existing.paused:
                await app.storage.feeds.resume(url, now=now)
                print(f"Resumed {url} (it was paused after repeated failures).")
            else:
                print(f"Added {feed.url}. It is polled on the next cycle; its current items are stored, not alerted.")
        elif args.feeds_command == "remove":
            removed = await app.storage.feeds.remove(args.url.strip())
            if not removed:
                print(f"{args.url} is not in the feed list; `mercato feeds list` shows it.", file=sys.stderr)
                return 1
            print(f"Removed {args.url}.")
        else:
            feeds = await app.storage.feeds.all()
            if not feeds:
                print("No feeds. Add one with `mercato feeds add URL`.")
            for feed in feeds:
                print(describe_feed_health(feed))
        return 0
    finally:
        await app.close()


def describe_feed_health(feed: Any) -> str:
    """One line per feed: URL, title, state, last error."""
    if feed.paused:
        state = f"PAUSED after {feed.failures} failures: {feed.last_error}"
    elif feed.failures:
        state = f"failing ({feed.failures} in a row): {feed.last_error}"
    elif feed.last_success_at is None:
        state = "not polled yet"
    else:
        state = f"ok, last polled {feed.last_success_at:%Y-%m-%d %H:%M} UTC"
    title = f" ({feed.title})" if feed.title else ""
    return f"{feed.url}{title}: {state}"


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import run_demo  # the demo's sample server is only needed here

    return await run_demo(settings)
