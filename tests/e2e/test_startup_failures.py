"""`mercato run` when Discord cannot be used: one line saying what to check, exit 1, no traceback."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from tests.e2e.test_run_process import environment, spawn
from tests.fakediscord import FakeDiscord


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_to_exit(env: dict[str, str], cwd: Path) -> tuple[int, list[str]]:
    child = await spawn(env, cwd)
    _, stderr = await asyncio.wait_for(child.communicate(), timeout=30)
    return child.returncode or 0, stderr.decode().strip().splitlines()


async def test_unreachable_discord(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """Nothing answers where Discord should be: say to check the network, in one line."""
    env = environment(fake_discord, tmp_path, fake_discord.token)
    env["FAKE_DISCORD_REST"] = f"http://127.0.0.1:{closed_port()}/api/v10"
    status, lines = await run_to_exit(env, tmp_path)
    assert status == 1
    errors = [line for line in lines if not line.startswith("[")]  # INFO log lines start with their time
    assert len(errors) == 1 and errors[0].startswith("error: Cannot reach Discord (Cannot connect to host 127.0.0.1")
    assert "check this machine's network, DNS and firewall" in errors[0]
    assert not any("Traceback" in line or "ERROR" in line for line in lines)


async def test_a_refused_token(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """The fake answers 401 to a wrong token: one line naming DISCORD_TOKEN, never the token itself."""
    status, lines = await run_to_exit(environment(fake_discord, tmp_path, "wrong-token"), tmp_path)
    assert status == 1
    assert lines[-1] == "error: Discord refused the token: check DISCORD_TOKEN (Developer Portal > Bot > Reset Token)."
    assert not any("Traceback" in line or "wrong-token" in line for line in lines)
    assert fake_discord.calls("GET", "/users/@me")  # it did ask Discord
