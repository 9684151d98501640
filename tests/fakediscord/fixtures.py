"""Pytest fixtures and helpers for running a real discord.py bot against :class:`FakeDiscord`.

* ``fake_discord``: fixture; a started :class:`FakeDiscord` with discord.py's two URL seams patched to it.
* ``run_bot(bot)``: async context manager; starts ``bot.start("fake-token")``, waits until ready, yields a
  :class:`BotRun`; on exit closes the bot and fails the test on any ``discord.*`` ERROR log record.
* ``BotRun.wait_for_completion(name)``: waits for ``on_app_command_completion`` (the handler succeeded).

See the package docstring (``tests/fakediscord/__init__.py``) for a complete example.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from discord.ext import commands

from tests.fakediscord.server import FakeDiscord


class _ErrorCollector(logging.Handler):
    """Collect ERROR (and worse) records emitted under a logger while attached."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.seen = asyncio.Event()
        self._loop = loop

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        # Records can come from discord.py's heartbeat thread, hence call_soon_threadsafe.
        self._loop.call_soon_threadsafe(self.seen.set)


def format_records(records: list[logging.LogRecord]) -> str:
    """Render log records (with tracebacks) for an assertion message."""
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(r) for r in records)


@dataclass
class BotRun:
    """A running bot: its start task, its completed app commands and the ERROR logs seen so far."""

    bot: commands.Bot
    task: asyncio.Task[None]
    collector: _ErrorCollector
    completions: asyncio.Queue[tuple[discord.Interaction, app_commands.Command[Any, ..., Any]]] = field(
        default_factory=asyncio.Queue
    )

    @property
    def errors(self) -> list[logging.LogRecord]:
        """ERROR records logged under ``discord.*`` so far."""
        return self.collector.records

    async def wait_for_error(self, timeout: float = 5.0) -> logging.LogRecord:
        """Wait until a ``discord.*`` ERROR record was logged; return the first one."""
        await asyncio.wait_for(self.collector.seen.wait(), timeout)
        return self.collector.records[0]

    async def wait_for_completion(
        self, name: str | None = None, timeout: float = 5.0
    ) -> tuple[discord.Interaction, app_commands.Command[Any, ..., Any]]:
        """Wait for the next ``on_app_command_completion`` (of command ``name`` if given; others are skipped).

        It is dispatched only when the command callback returned without raising (pitfall 4).
        """
        async with asyncio.timeout(timeout):
            while True:
                interaction, command = await self.completions.get()
                if name is None or command.qualified_name == name:
                    return interaction, command


@asynccontextmanager
async def run_bot(bot: commands.Bot, *, timeout: float = 5.0, allow_errors: bool = False) -> AsyncIterator[BotRun]:
    """Run ``bot.start("fake-token")`` as a task until ready; on exit close it and check the logs.

    On exit the bot is closed and its task awaited; then the block FAILS if any ``discord.*``
    logger emitted an ERROR record (a crashed command or view callback is only logged by
    discord.py, never raised into the test). Pass ``allow_errors=True`` to inspect
    ``run.errors`` yourself instead. Records from other loggers (e.g. ``cogs.tree``) are ignored.
    """
    collector = _ErrorCollector(asyncio.get_running_loop())
    discord_logger = logging.getLogger("discord")
    discord_logger.addHandler(collector)
    run: BotRun | None = None
    try:
        task = asyncio.create_task(bot.start("fake-token"), name="fake-discord-bot")
        run = BotRun(bot, task, collector)

        completions = run.completions

        async def _completed(interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any]) -> None:
            completions.put_nowait((interaction, command))

        bot.add_listener(_completed, "on_app_command_completion")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()  # re-raise the start-up error (LoginFailure, KeyError in a parser…)
            raise TimeoutError(f"bot not ready within {timeout}s")
        yield run
    finally:
        if run is not None:
            await bot.close()
            try:
                await asyncio.wait_for(run.task, timeout)
            except asyncio.CancelledError:
                pass
        discord_logger.removeHandler(collector)
    if collector.records and not allow_errors:
        pytest.fail("discord.* logged errors while the bot ran:\n" + format_records(collector.records))


@pytest_asyncio.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """Start a :class:`FakeDiscord` and point discord.py's REST base and gateway URL at it."""
    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.rest_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    try:
        yield fake
    finally:
        await fake.stop()
