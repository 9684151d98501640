"""The Discord side of the outbox: post, DM, edit, and turn Discord's errors into the core's.

The policy (what a 403, a 50007 or a 5xx means for a row) lives in :mod:`bot.delivery`; this module
only speaks Discord. A background task, owned by ``cog_load``/``cog_unload``, drains due rows when
a poll tick enqueued something, when a retry falls due, and at least once a minute. A drain runs
routes in parallel and stays open while any send is in flight (discord.py may be retrying a 5xx or
sleeping out a 429 on one route), so a tick's wake-up reaches it and new alerts go out at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Sequence
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from bot.alerts.forum import NewPost, PostGone
from bot.delivery import (
    ChannelUnavailable,
    DeliveryError,
    DmClosed,
    MessageGone,
    MessageRejected,
    RateLimited,
    SentMessage,
    TemporaryFailure,
)
from bot.digests import schedule_digests
from bot.metrics import MeteredSender
from bot.models import AlertView, DigestView, TargetKind
from bot.scheduling import TickReport
from cogs import forum
from cogs.client import MercatoBot
from cogs.embeds import alert_embed, digest_embed
from cogs.render import NO_MENTIONS, only_roles, role_mentions
from cogs.views import alert_buttons

log = logging.getLogger(__name__)

IDLE_S = 60.0  # drain at least this often, in case a wake-up was missed
MIN_WAIT_S = 1.0  # never spin: a row due "now" that just failed waits at least this long
UNKNOWN_MESSAGE = 10008
UNKNOWN_CHANNEL = 10003
CANNOT_DM = 50007
THREAD_ARCHIVED = 50083  # the thread is archived and the bot may not reopen it
THREAD_LOCKED = 160005
REASONS = {
    10003: "the channel was deleted",
    50001: "I can no longer see the channel (Missing Access)",
    50013: "I am missing permissions there (Send Messages or Embed Links)",
}


def translate(exc: discord.HTTPException, *, dm: bool, thread: bool = False) -> DeliveryError:
    """Map a Discord HTTP error to what the outbox should do about it (``thread``: in a forum post)."""
    detail = f"Discord {exc.status} {exc.code}: {exc.text}" if exc.code else f"Discord {exc.status}"
    if isinstance(exc, discord.NotFound) and exc.code == UNKNOWN_MESSAGE:
        return MessageGone(detail)
    if thread and (exc.code in (THREAD_ARCHIVED, THREAD_LOCKED) or (
            isinstance(exc, discord.NotFound) and exc.code == UNKNOWN_CHANNEL)):
        return PostGone(f"the post was deleted or locked ({detail})")
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        if dm or exc.code == CANNOT_DM:
            return DmClosed(f"the user does not accept DMs from me ({detail})")
        return ChannelUnavailable(f"{REASONS.get(exc.code, 'Discord refused the channel')} ({detail})")
    if exc.status == 429:  # a 429 discord.py did not retry (no Via header): wait a minute
        return RateLimited(60.0, detail)
    if exc.status < 500:  # this message was refused (400 …); the route's next one may well go through
        return MessageRejected(detail)
    return TemporaryFailure(detail)


class DiscordSender:
    """Implements :class:`bot.delivery.Sender` with discord.py."""

    def __init__(self, bot: MercatoBot) -> None:
        self.bot = bot

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Post an alert embed with its Follow button in a server channel."""
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        return await self._call(channel.send(**self._message(view, guild_id), nonce=nonce), dm=False)

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """DM an alert to a user."""
        return await self._call(self._dm(user_id, self._message(view, guild_id), nonce), dm=True)

    async def send_digest(self, kind: TargetKind, target_id: int, view: DigestView, *, guild_id: int,
                          nonce: str) -> SentMessage:
        """Post a digest in a channel, or DM it to a member (it names the server its follows are in)."""
        guild = self.bot.get_guild(guild_id)
        message = {"embed": digest_embed(view, guild.name if guild else None), "allowed_mentions": NO_MENTIONS}
        if kind is TargetKind.DM:
            return await self._call(self._dm(target_id, message, nonce), dm=True)
        channel = self.bot.get_partial_messageable(target_id, guild_id=guild_id)
        return await self._call(channel.send(**message, nonce=nonce), dm=False)

    async def _dm(self, user_id: int, message: dict[str, Any], nonce: str) -> discord.Message:
        user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
        channel = user.dm_channel or await user.create_dm()
        return await channel.send(**message, nonce=nonce)

    async def edit(self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool) -> SentMessage:
        """Replace a posted alert with a newer view."""
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        return await self._call(message.edit(**self._message(view, guild_id, edit=True)), dm=dm)

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        """Tell a server something: its system channel, else its owner by DM. True if either worked."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return False
        if guild.system_channel is not None:
            with contextlib.suppress(discord.HTTPException):
                await guild.system_channel.send(text, allowed_mentions=NO_MENTIONS)
                return True
        try:
            owner = guild.owner or await self.bot.fetch_user(guild.owner_id or 0)
            await owner.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not tell the owner of server %s: %s", guild_id, exc)
            return False
        return True

    # Story threads (bot.alerts.forum): a forum alert channel gets a post per story, a reply per report.

    async def newest_post(self, forum_id: int, *, guild_id: int) -> int:
        """The id of the forum's newest post (0 if none)."""
        return int(await self._translated(forum.newest_post(self.bot, forum_id)))

    async def create_post(self, forum_id: int, post: NewPost, view: AlertView, *, guild_id: int) -> SentMessage:
        """Create a forum post whose starter message is the alert; tags are created if missing."""
        thread_id, message_id = await self._translated(
            forum.create_post(self.bot, forum_id, post, self._message(view, guild_id)))
        return SentMessage(message_id, thread_id)

    async def find_posts(self, forum_id: int, *, guild_id: int, title: str, after: int) -> list[int]:
        """The bot's posts titled ``title`` in the forum newer than ``after`` (crash recovery)."""
        found: list[int] = await self._translated(
            forum.find_posts(self.bot, guild_id, forum_id, title=title, after=after))
        return found

    async def reply(self, thread_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Post a report as a reply in its story's post."""
        channel = self.bot.get_partial_messageable(thread_id, guild_id=guild_id,
                                                   type=discord.ChannelType.public_thread)
        return await self._call(channel.send(**self._message(view, guild_id), nonce=nonce), dm=False, thread=True)

    async def set_tags(self, forum_id: int, thread_id: int, tags: Sequence[str], *, guild_id: int,
                       drop: Collection[str]) -> None:
        """Retag a post (a stage climb); a refused tag change is logged by cogs.forum, not raised."""
        await self._translated(forum.set_tags(self.bot, forum_id, thread_id, tags, drop=drop), thread=True)

    async def edit_starter(self, thread_id: int, message_id: int, view: AlertView, *, guild_id: int) -> SentMessage:
        """Replace a post's starter message with the story as it is now."""
        message = self.bot.get_partial_messageable(thread_id).get_partial_message(message_id)
        return await self._call(message.edit(**self._message(view, guild_id)), dm=False, thread=True)

    @staticmethod
    def _message(view: AlertView, guild_id: int, *, edit: bool = False) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"embed": alert_embed(view), "allowed_mentions": NO_MENTIONS}
        if view.ping_roles and not edit:  # an edit keeps its content and pings nobody (issue 12)
            kwargs["content"] = role_mentions(view.ping_roles)
            kwargs["allowed_mentions"] = only_roles(view.ping_roles)
        buttons = alert_buttons(guild_id, view)
        if buttons is not None:
            kwargs["view"] = buttons
        return kwargs

    @classmethod
    async def _call(cls, call: Any, *, dm: bool, thread: bool = False) -> SentMessage:
        message: discord.Message = await cls._translated(call, dm=dm, thread=thread)
        return SentMessage(message.id, message.channel.id)

    @staticmethod
    async def _translated(call: Any, *, dm: bool = False, thread: bool = False) -> Any:
        """Await a Discord call, turning its failures into the core's delivery errors."""
        try:
            return await call
        except discord.RateLimited as exc:  # only when retry_after exceeds max_ratelimit_timeout
            raise RateLimited(exc.retry_after) from exc
        except discord.HTTPException as exc:
            raise translate(exc, dm=dm, thread=thread) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TemporaryFailure(f"network error: {type(exc).__name__}") from exc
        except forum.NotAForum as exc:
            raise ChannelUnavailable(f"the alert channel is not a forum any more ({exc})") from exc
        except forum.NotAPost as exc:
            raise PostGone(str(exc)) from exc


class Delivery(commands.Cog):
    """Owns the background task that drains the outbox."""

    def __init__(self, bot: MercatoBot) -> None:
        self.bot = bot
        self.sender = MeteredSender(DiscordSender(bot), bot.app.metrics)  # counted and timed for /metrics
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._notices: set[asyncio.Task[None]] = set()

    async def cog_load(self) -> None:
        """Start draining (after the bot is ready), listen for poll ticks, and look for due digests every minute."""
        self.bot.pipeline.poller.listeners.append(self._on_tick)
        schedule_digests(self.bot.pipeline.poller, self.bot.pipeline.digests, on_enqueued=self.wake)
        self._task = asyncio.create_task(self._run(), name="mercato-delivery")

    async def cog_unload(self) -> None:
        """Stop draining; a row in flight stays pending and is retried after a restart."""
        with contextlib.suppress(ValueError):
            self.bot.pipeline.poller.listeners.remove(self._on_tick)
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_tick(self, report: TickReport) -> None:
        self.wake()  # a tick may have added rows, or turned sent rows into edits
        if report.notices:
            task = asyncio.create_task(self.bot.pipeline.dispatcher.tell(report.notices, self.sender))
            self._notices.add(task)  # keep a reference until done, or the task may be collected
            task.add_done_callback(self._notices.discard)

    def wake(self) -> None:
        """Drain now (new rows were enqueued, or the clock moved), or at once if a drain is running."""
        self._wake.set()
        self.bot.pipeline.dispatcher.wake()

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        dispatcher = self.bot.pipeline.dispatcher
        while not self._stopping:
            self._wake.clear()
            try:
                await dispatcher.drain(self.sender)
                due = await dispatcher.seconds_until_due()
            except Exception:
                log.exception("outbox drain failed")
                due = None
            delay = IDLE_S if due is None else min(max(due, MIN_WAIT_S), IDLE_S)
            # asyncio.timeout, not asyncio.wait_for: on Python 3.11 wait_for loses a cancellation that
            # arrives as the event is set, and cog_unload would then wait for this task forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()


async def setup(bot: MercatoBot) -> None:
    """Load the Delivery cog."""
    await bot.add_cog(Delivery(bot))
