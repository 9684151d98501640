"""`mercato backup`, `mercato restore` and `mercato health`: the operator's maintenance commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError

HEALTH_TIMEOUT_S = 5.0


def add_ops_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `backup`, `restore` and `health` on the top-level subparsers."""
    back = sub.add_parser("backup", help="copy the live database to FILE (safe while the bot runs)")
    back.add_argument("file", type=Path, help="where to write the copy (replaced if it exists)")
    back_in = sub.add_parser("restore", help="replace the database by a backup (stop the bot first)")
    back_in.add_argument("file", type=Path, help="a file written by `mercato backup`")
    sub.add_parser("health", help="ask the running bot's /healthz (MERCATO_HTTP_PORT); exit 0 if healthy")


def run_ops(settings: Settings, args: argparse.Namespace) -> int:
    """Run one maintenance command; return the exit status."""
    if args.command == "health":
        return check_health(settings)
    import asyncio

    from bot.storage.backup import backup, restore  # only these commands need the database

    if args.command == "backup":
        timeout = settings.db_busy_timeout
        done = asyncio.run(asyncio.to_thread(backup, settings.db_path, args.file, busy_timeout=timeout))
        print(f"Backed up {settings.db_path} to {done.path} ({_size(done.size)}, schema {done.schema}, "
              f"integrity ok) in {done.seconds:.1f} s.")
        return 0
    done = asyncio.run(asyncio.to_thread(restore, args.file, settings.db_path, busy_timeout=settings.db_busy_timeout))
    kept = f" The database it replaced is kept as {done.kept}." if done.kept else ""
    print(f"Restored {args.file} into {done.path} ({_size(done.size)}, schema {done.schema}, integrity ok).{kept} "
          "Start Mercato as usual: it applies any newer migrations.")
    return 0


def check_health(settings: Settings) -> int:
    """GET the bot's /healthz; print its one-line summary; 0 if healthy, 1 if not or unreachable."""
    if settings.http_port is None:
        raise ConfigError(["MERCATO_HTTP_PORT: not set, so the bot serves no /healthz; set it (e.g. 8080)"])
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "") else settings.http_host
    url = f"http://{host}:{settings.http_port}/healthz"
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_S) as response:
            body: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as exc:
        body = json.load(exc) if exc.code == 503 else {"status": f"HTTP {exc.code}", "problems": []}
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"unhealthy: nothing answers on {url} ({reason}): is the bot running with MERCATO_HTTP_PORT set?",
              file=sys.stderr)
        return 1
    problems = "; ".join(body.get("problems") or [])
    print(f"{body.get('status', '?')}: {problems}" if problems else str(body.get("status", "?")))
    return 0 if body.get("status") == "healthy" else 1


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size / 2**10:.0f} KiB"
