"""The bot: a ``commands.Bot`` subclass that loads the cogs, starts the poll scheduler, syncs on request.

Everything it needs is passed in (the :class:`~bot.app.App`, the clock); every other keyword goes to
``commands.Bot``, so tests can pass ``guild_ready_timeout`` and friends without hooks in here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.pipeline import AlertPipeline
from bot.app import App, open_app
from bot.config import Settings
from bot.errors import StartupError
from bot.health import Monitoring, start_monitoring
from bot.housekeeping import schedule_housekeeping
from bot.services import Choice, Services, build_services
from cogs import EXTENSIONS
from cogs.tree import MercatoTree
from cogs.views import FollowButton, WhyButton

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class MercatoBot(commands.Bot):
    """Mercato on Discord."""

    def __init__(
        self,
        app: App,
        *,
        now: Callable[[], datetime] = utcnow,
        sync: bool = False,
        dev_guild_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        # Only the guilds intent: slash commands, buttons and DMs need no gateway events, and a bot in
        # thousands of servers should not receive every message and presence update.
        kwargs.setdefault("intents", discord.Intents(guilds=True))
        kwargs.setdefault("command_prefix", commands.when_mentioned)  # slash commands only
        super().__init__(
            tree_cls=MercatoTree,
            # Nothing the bot sends may ping: this is the default for every send, each send sets it too.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **kwargs,
        )
        self.app = app
        self.now = now
        self.services: Services
        self.pipeline: AlertPipeline
        self.services, self.pipeline = build_services(app, now=now)
        self.sync_global = sync
        self.dev_guild_id = dev_guild_id
        self.gateway_connected = False  # for /healthz: READY or RESUMED seen, no disconnect since
        self.monitoring: Monitoring | None = None

    async def setup_hook(self) -> None:
        """Load the cogs, register the persistent button, start polling and monitoring, sync commands if asked."""
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except Exception:
                log.exception("Failed to load extension %s", extension)
        self.add_dynamic_items(FollowButton, WhyButton)
        self.app.ingestor.reading.begin()  # reading processes load their catalogue while we connect
        self.pipeline.poller.start()
        schedule_housekeeping(self.pipeline.poller, retention=self.services.retention, privacy=self.services.privacy)
        settings = self.app.settings
        self.monitoring = await start_monitoring(
            self.app.storage, self.app.metrics, self.pipeline.poller, now=self.now,
            gateway=lambda: self.gateway_connected, host=settings.http_host, port=settings.http_port,
        )
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync to the dev server instantly (MERCATO_DEV_GUILD) or globally (``--sync``; takes a while).

        Commands registered both globally and in a server show twice there. With both asked for, the
        global sync wins and the dev server's copies are removed; a dev server seeing global commands
        from an earlier ``--sync`` is warned about.
        """
        if self.sync_global:
            synced = await self.tree.sync()
            log.info("synced %d commands globally", len(synced))
        if self.dev_guild_id is None:
            return
        guild = discord.Object(self.dev_guild_id)
        if self.sync_global:
            log.warning(DUPLICATES_REMOVED, self.dev_guild_id)
            await self.tree.sync(guild=guild)  # nothing was copied to it: this clears its commands
            return
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands to server %s", len(synced), self.dev_guild_id)
        try:
            global_commands = await self.tree.fetch_commands()
        except discord.HTTPException as exc:  # only a check: never a reason not to start
            log.warning("could not check for global commands duplicating server %s's: %s", self.dev_guild_id, exc)
            return
        if global_commands:
            log.warning(DUPLICATES_SEEN, self.dev_guild_id)

    async def on_ready(self) -> None:
        """Connected (and every server is loaded)."""
        self.gateway_connected = True

    async def on_resumed(self) -> None:
        """Reconnected after a drop."""
        self.gateway_connected = True

    async def on_disconnect(self) -> None:
        """Lost the gateway (discord.py reconnects by itself)."""
        self.gateway_connected = False

    async def close(self) -> None:
        """Stop the scheduler first (pending deliveries stay in the outbox), then monitoring, then disconnect."""
        self.pipeline.poller.shutdown()
        if self.monitoring is not None:
            await self.monitoring.close()
        await super().close()


DUPLICATES_REMOVED = (
    "MERCATO_DEV_GUILD is set and --sync registers the commands globally: server %s would show every command "
    "twice, so its own copies are removed. Unset MERCATO_DEV_GUILD in production."
)
DUPLICATES_SEEN = (
    "Server %s (MERCATO_DEV_GUILD) also sees the global commands from an earlier --sync, so every command shows "
    "twice there. For production, run `make sync` once with MERCATO_DEV_GUILD still set (it removes the server's "
    "copies), then unset it; for development, use a separate bot application that never synced globally."
)


class MercatoCog(commands.Cog):
    """Base of the command cogs: a user who runs any command gets their DMs retried."""

    def __init__(self, bot: MercatoBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Clear the "DMs undeliverable" flag: the user may have opened their DMs since."""
        if interaction.type is discord.InteractionType.application_command:
            await self.services.user_active(interaction.user.id)
        return True


Choices = list[app_commands.Choice[str]]


def choices(found: list[Choice]) -> Choices:
    """Core autocomplete choices as discord.py choices."""
    return [app_commands.Choice(name=c.name, value=c.value) for c in found]


def guild_of(interaction: discord.Interaction[Any]) -> int:
    """The server an interaction came from (commands using it are guild-only)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage
    return interaction.guild_id


def run(settings: Settings, *, sync: bool) -> int:
    """Run the bot until SIGINT/SIGTERM; return the exit status (0 clean, 1 on a login failure)."""
    return asyncio.run(_serve(settings, sync=sync))


async def _serve(settings: Settings, *, sync: bool) -> int:
    assert settings.discord_token  # checked by the CLI, which exits 2 without one
    app = await open_app(settings, now=utcnow())
    # The catalogue, matcher and language packs live as long as the bot: left out of every collection from
    # now on (bot.heap), or each full collection walks them all again, about 50 ms of the event loop.
    gc.freeze()
    try:
        bot = MercatoBot(app, sync=sync, dev_guild_id=settings.dev_guild_id)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with bot:
            runner = asyncio.create_task(bot.start(settings.discord_token), name="mercato-bot")
            stopper = asyncio.create_task(stop.wait(), name="mercato-signal")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if runner in done:
                stopper.cancel()
                _raise_startup_error(runner)
                return 0
            log.info("signal received: shutting down (pending alerts stay queued)")
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        return 0
    finally:
        await app.close()


def _raise_startup_error(runner: asyncio.Task[None]) -> None:
    """Re-raise why the bot stopped by itself as one clear :class:`StartupError` (the CLI prints it)."""
    try:
        runner.result()
    except discord.LoginFailure as exc:
        raise StartupError(
            "Discord refused the token: check DISCORD_TOKEN (Developer Portal > Bot > Reset Token)."
        ) from exc
    except discord.PrivilegedIntentsRequired as exc:
        raise StartupError("Discord refused the gateway intents the bot asked for; update Mercato.") from exc
    except discord.HTTPException as exc:
        raise StartupError(
            f"Discord answered HTTP {exc.status} while the bot started: it may be having an outage "
            "(https://discordstatus.com); try again in a few minutes."
        ) from exc
    except (aiohttp.ClientError, discord.GatewayNotFound, discord.ConnectionClosed, OSError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        raise StartupError(
            f"Cannot reach Discord ({reason}): check this machine's network, DNS and firewall "
            "(outgoing HTTPS to discord.com and gateway.discord.gg), then start again."
        ) from exc
