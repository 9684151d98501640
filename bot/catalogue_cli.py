"""`mercato catalogue …`: the operator's catalogue commands (argparse wiring and printing only).

The use-cases live in ``bot.catalogue.operator``; every change is stored in the database given by
``--db``/``MERCATO_DB`` and merged into the catalogue when the bot starts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.catalogue import load_catalogue
from bot.config import Settings
from bot.errors import InvalidInput

if TYPE_CHECKING:  # imported when a command runs: every `mercato` command builds this parser
    from bot.catalogue.operator import CatalogueOperator, Change

Handler = Callable[["CatalogueOperator", argparse.Namespace, datetime], Awaitable[int]]


def add_catalogue_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `catalogue` and its actions on the top-level subparsers."""
    catalogue = sub.add_parser("catalogue", help="inspect and edit the player/club catalogue (stored in the database)")
    actions = catalogue.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")

    add = actions.add_parser("add-player", help="add a player the seeds lack")
    add.add_argument("name")
    add.add_argument("--club", required=True, help="his current club (name, nickname or id)")
    add.add_argument("--alias", action="append", default=[], metavar="A",
                     help="another name (repeatable; prefix ~ for context-only)")
    add.add_argument("--position", help="GK, DF, MF or FW")
    add.add_argument("--nationality")

    alias = actions.add_parser("add-alias", help="give a player or club another name")
    alias.add_argument("entity", help="a name or an id such as player:radu-dragusin")
    alias.add_argument("alias")
    alias.add_argument("--context", action="store_true",
                       help="only counts next to the full name or the club (common words, shared surnames)")

    move = actions.add_parser("move-player", help="record a transfer: the player's new club, as of today")
    move.add_argument("name")
    move.add_argument("club")

    imp = actions.add_parser(
        "import", help="refresh players from a CSV (seed columns) or transfermarkt-datasets' players.csv + clubs.csv"
    )
    imp.add_argument("file", type=Path, help="a CSV, or transfermarkt-datasets' players.csv (or its folder)")
    imp.add_argument("--clubs", type=Path, help="transfermarkt-datasets' clubs.csv (default: next to players.csv)")
    imp.add_argument("--dry-run", action="store_true", help="print the diff and change nothing")
    imp.add_argument("--full", action="store_true", help="list every line of the diff, not the first 20 per section")
    actions.add_parser("export", help="write every player to a CSV (seed columns)").add_argument("file", type=Path)

    moves = actions.add_parser("moves", help="list club changes (learnt from the news, the operator's, imported)")
    moves.add_argument("--pending", action="store_true", help="only moves waiting for review (MERCATO_MOVES=review)")
    moves.add_argument("--json", action="store_true", help="print a JSON array")
    moves.add_argument("--limit", type=int, default=50, help="how many, newest first (default 50)")
    for action, text in (("approve", "apply a move waiting for review"),
                         ("reject", "drop a move waiting for review"),
                         ("undo", "put the player back at his previous club")):
        actions.add_parser(action, help=text).add_argument("id", type=int, help="the move's number (see `moves`)")
    player = actions.add_parser("player", help="a player's club, loan, aliases and club history with evidence")
    player.add_argument("name", help="a name, alias or id")
    player.add_argument("--json", action="store_true", help="print one JSON object")

    stats = actions.add_parser("stats", help="how many clubs, players, aliases and provisional players")
    stats.add_argument("--json", action="store_true", help="print one JSON object")

    check = actions.add_parser(
        "check", help="report duplicates, colliding and common-word aliases (exit 1 on problems)"
    )
    check.add_argument("--strict", action="store_true", help="aliases to review count as problems too")
    check.add_argument("--verbose", action="store_true", help="list every explained collision")


def run_catalogue(settings: Settings, args: argparse.Namespace) -> int:
    """Run one `catalogue` action; return the exit status."""
    import asyncio  # here: the other commands start without it

    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    handlers: dict[str, Handler] = {
        "add-player": _add_player,
        "add-alias": _add_alias,
        "move-player": _move_player,
        "import": _import,
        "export": _export,
        "stats": _stats,
        "check": _check,
        "moves": _moves,
        "approve": _decide,
        "reject": _decide,
        "undo": _decide,
        "player": _player,
    }
    import asyncio

    from bot.catalogue.operator import CatalogueOperator
    from bot.storage import Storage

    now = datetime.now(UTC)
    base = await asyncio.to_thread(load_catalogue, settings.seeds_dir)
    storage = await Storage.open(settings.db_path, busy_timeout=settings.db_busy_timeout)
    try:
        operator = await CatalogueOperator.open(storage, base, settings.seeds_dir, now=now)
        return await handlers[args.catalogue_command](operator, args, now)
    finally:
        await storage.close()


def say(text: str, *, err: bool = False) -> None:
    """Print one line for the operator (stdout, or stderr for problems)."""
    (sys.stderr if err else sys.stdout).write(text + "\n")


def _print_change(change: Change) -> int:
    say(change.message)
    if change.relinked:
        say(f"{change.relinked} free-text follow(s) now follow {change.entity.name}.")
    for warning in change.warnings:
        say(f"note: {warning}")
    say("Restart the bot to use it.")
    return 0


async def _add_player(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    change = await operator.add_player(
        args.name, club=args.club, aliases=args.alias, position=args.position, nationality=args.nationality, now=now
    )
    return _print_change(change)


async def _add_alias(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    return _print_change(await operator.add_alias(args.entity, args.alias, context=args.context, now=now))


async def _move_player(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    say((await operator.move_player(args.name, args.club, now=now)).message)
    say("The running bot picks this up at its next poll; `mercato catalogue undo ID` takes it back.")
    return 0


async def _import(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    plan = await operator.import_file(args.file, clubs=args.clubs, dry_run=args.dry_run, now=now)
    say(plan.render(operator.catalogue, limit=None if args.full else 20))
    if plan.empty:
        say("Nothing to change.")
    elif args.dry_run:
        say("Dry run: nothing was changed. Run it again without --dry-run to apply this diff.")
    else:
        say("Applied in one transaction. The running bot picks up club changes at its next poll; "
            "restart it for new players and aliases.")
    if plan.relinked:
        say(f"{plan.relinked} free-text follow(s) now follow a player.")
    return 0


async def _export(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    import asyncio

    try:
        count = await asyncio.to_thread(operator.export_csv, args.file)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {args.file}: {exc.strerror}") from exc
    say(f"Exported {count} players to {args.file}.")
    return 0


async def _stats(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    stats = operator.stats()
    if args.json:
        say(json.dumps(stats))
    else:
        say(", ".join(f"{value} {key}" for key, value in stats.items()))
    return 0


async def _check(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    report = await operator.check()
    say(report.render(verbose=args.verbose))
    return 1 if report.failed(strict=args.strict) else 0


async def _moves(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    from bot.catalogue.move_desk import MoveDesk

    views = await MoveDesk(operator).listing(pending_only=args.pending, limit=max(1, args.limit))
    if args.json:
        say(json.dumps(views, ensure_ascii=False))
    elif not views:
        say("No moves waiting for review." if args.pending else "No moves recorded yet.")
    else:
        for view in views:
            say(MoveDesk.line(view))
    return 0


async def _decide(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    from bot.catalogue.move_desk import MoveDesk

    desk = MoveDesk(operator)
    action = {"approve": desk.approve, "reject": desk.reject, "undo": desk.undo}[args.catalogue_command]
    say(await action(args.id, now=now))
    if args.catalogue_command != "reject":
        say("The running bot picks this up at its next poll.")
    return 0


async def _player(operator: CatalogueOperator, args: argparse.Namespace, now: datetime) -> int:
    from bot.catalogue.move_desk import MoveDesk

    record = await MoveDesk(operator).player(args.name)
    if args.json:
        say(json.dumps(record, ensure_ascii=False))
        return 0
    loan = f" (on loan from {record['loan_from']})" if record["loan_from"] else ""
    say(f"{record['name']}: {record['club'] or 'no club'}{loan}")
    say(f"aliases: {', '.join(record['aliases'])}")
    for entry in record["history"]:
        evidence = entry["evidence"]
        detail = ", ".join(f"{k} {', '.join(v) if isinstance(v, list) else v}" for k, v in evidence.items())
        say(f"  since {entry['from_date'] or '?'}: {entry['club'] or 'no club'} ({detail})")
    return 0
