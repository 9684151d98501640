"""Launcher: run the real `mercato` entry point against a fake Discord, in a child process.

It points discord.py's two URL seams at the fake (from FAKE_DISCORD_REST and FAKE_DISCORD_GATEWAY),
then calls ``bot.__main__.main`` with the command-line arguments, exactly as `python -m bot` would.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import discord
import yarl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, when run as a script

from bot.__main__ import main


def patch_seams() -> None:
    """Send REST and the gateway to the fake instead of discord.com."""
    discord.http.Route.BASE = os.environ["FAKE_DISCORD_REST"]  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])


if __name__ == "__main__":
    patch_seams()
    sys.exit(main(sys.argv[1:]))
