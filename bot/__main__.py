"""Entry point: `mercato …` and `python -m bot …`. The one bot/ module allowed to start the Discord bot."""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.errors import ConfigError
from bot.heap import building, leave


def run_discord_bot(settings: Settings, sync: bool) -> int:
    """Connect to Discord and serve until SIGINT/SIGTERM; return the exit status."""
    from cogs.client import run  # imported here so that the offline commands never load discord.py

    return run(settings, sync=sync)


def main(argv: list[str] | None = None) -> int:
    """Run the `mercato` command."""
    try:
        with building():  # importing the CLI reads the vocabulary and compiles module patterns (see bot.heap)
            from bot.cli import main as cli_main
    except ConfigError as exc:  # e.g. an installed package started without MERCATO_SEEDS: one line, no traceback
        print(f"error: {exc}. Set MERCATO_SEEDS to Mercato's seeds/ folder.", file=sys.stderr)
        return 2
    return cli_main(argv, run_bot=run_discord_bot, leave=leave)


if __name__ == "__main__":
    sys.exit(main())
