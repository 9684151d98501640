"""`mercato run` in a child process against the fake Discord: connect, sync, answer, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from tests.e2e.helpers import SEEDS
from tests.fakediscord import FakeDiscord

LAUNCHER = Path(__file__).with_name("bot_under_fake.py")


def seeds_without_default_feeds(tmp_path: Path) -> Path:
    """The shipped seeds minus feeds.toml, so the child's first poll reaches no real feed on the internet."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for entry in SEEDS.iterdir():
        if entry.name != "feeds.toml":
            (seeds / entry.name).symlink_to(entry)
    return seeds


def environment(fake: FakeDiscord, tmp_path: Path, token: str) -> dict[str, str]:
    """The child's environment: the fake's URLs, a token, a fresh database, no default feeds."""
    return {
        **os.environ,
        "FAKE_DISCORD_REST": fake.rest_base,
        "FAKE_DISCORD_GATEWAY": fake.gateway_url,
        "DISCORD_TOKEN": token,
        "MERCATO_DB": str(tmp_path / "mercato.sqlite3"),
        "MERCATO_SEEDS": str(seeds_without_default_feeds(tmp_path)),
        "MERCATO_LOG_LEVEL": "INFO",
    }


async def spawn(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(LAUNCHER), "run", "--sync", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_mercato_run_connects_syncs_answers_and_stops_gracefully(fake_discord: FakeDiscord, tmp_path) -> None:
    child = await spawn(environment(fake_discord, tmp_path, fake_discord.token), tmp_path)
    try:
        await fake_discord.wait_for(lambda: fake_discord.active_connection is not None, timeout=20)
        [sync] = fake_discord.calls("PUT", "/applications/{application_id}/commands")
        record = await fake_discord.invoke("follow", {"name": "dragusin"})
        child.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(child.communicate(), timeout=10)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()

    log = stderr.decode()
    assert child.returncode == 0, log
    assert "follow" in {c["name"] for c in sync.json}
    assert sync.headers["Authorization"] == "Bot fake-token"
    assert record.ephemeral and record.content.startswith("Following **Radu Drăgușin (Tottenham)** in this server.")
    assert "shutting down" in log and "Traceback" not in log
    assert "fake-token" not in log  # the token never reaches the log
    with sqlite3.connect(tmp_path / "mercato.sqlite3") as db:  # closed cleanly: the follow is there
        assert db.execute("SELECT entity_id FROM follows").fetchall() == [("player:radu-dragusin",)]


async def test_a_refused_token_exits_1_with_what_to_check(fake_discord: FakeDiscord, tmp_path) -> None:
    child = await spawn(environment(fake_discord, tmp_path, "not-the-token"), tmp_path)
    _, stderr = await asyncio.wait_for(child.communicate(), timeout=20)
    log = stderr.decode()
    assert child.returncode == 1, log
    assert "Discord refused the token: check DISCORD_TOKEN" in log and "not-the-token" not in log
