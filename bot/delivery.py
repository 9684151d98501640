"""Draining the outbox: what happens to each pending row, whatever Discord answers.

The Discord side implements :class:`Sender` (post, DM, edit, tell a server) and translates
Discord's errors into the :class:`DeliveryError` subclasses below; the policy lives here, where it
can be tested without Discord:

* a channel that is gone or forbidden (404/403): stop delivering there, drop the server's pending
  channel rows with the reason, record it for /status, and tell the server once;
* DMs closed (50007): mark the user's DMs undeliverable (until their next command), drop their DMs;
* rate limited: try again after ``retry_after``; never counts towards giving up;
* anything else (5xx, network): retry with exponential backoff, up to ``max_attempts``;
* a row is marked sent, with the message id, only after Discord confirmed it.

Deliveries run in parallel, one *route* (a server's alert channel, or a user's DMs) at a time per
route: a route's rows go out in order, never two at once, so an edit never overtakes its send and
no row is ever taken twice. Up to ``max_in_flight`` sends run at once; a send still waiting after
``patience`` seconds (discord.py sleeping out a 429 or retrying a 5xx on that route) gives its slot
to the others, so a failing or rate-limited route never delays the rest. A route whose delivery
failed in a way its next message would share (5xx, network, rate limit) is held until the retry:
its other rows wait behind the failed one instead of hammering it. discord.py's own per-bucket
and global rate limiting stays in charge of the HTTP requests themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.models import Action, AlertView, ChannelKind, DigestView, OutboxRow, TargetKind
from bot.storage import Storage

if TYPE_CHECKING:  # bot.alerts.forum builds on this module
    from bot.alerts.forum import StoryThreads

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A delivery failed; the subclass says what to do about it."""


class ChannelUnavailable(DeliveryError):
    """The server's alert channel is gone or the bot may not post there (404/403): stop for that server."""


class DmClosed(DeliveryError):
    """The user does not accept DMs from the bot (50007)."""


class MessageGone(DeliveryError):
    """The message to edit no longer exists: post a new one instead."""


class RateLimited(DeliveryError):
    """Discord asked to wait ``retry_after`` seconds longer than the client was willing to."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryFailure(DeliveryError):
    """A 5xx, a network error or any other failure worth retrying later; the rest of its route waits too."""


class MessageRejected(TemporaryFailure):
    """Discord refused this one message (a 400), or our side failed on it: retried later, but its route goes on."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What Discord confirmed: the message id and the channel it is in."""

    message_id: int
    channel_id: int


class Sender(Protocol):
    """The Discord side of delivery."""

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Post an alert in a server channel."""
        ...

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Send an alert to a user by DM."""
        ...

    async def edit(
        self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool
    ) -> SentMessage:
        """Replace an alert already posted (in a server channel, or a DM if ``dm``) with a newer view."""
        ...

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        """Tell a server's admins something (system channel, else the owner by DM). True if it got through."""
        ...

    async def send_digest(self, kind: TargetKind, target_id: int, view: DigestView, *, guild_id: int,
                          nonce: str) -> SentMessage:
        """Post a digest in a channel (``kind`` CHANNEL, ``target_id`` the channel) or DM it (DM, the user)."""
        ...


class DigestRows(Protocol):
    """What delivering a digest row needs from the digests (:class:`bot.digests.Digests`)."""

    async def render(self, row: OutboxRow) -> DigestView | None:
        """The digest the row delivers; None if it has no story any more."""
        ...

    async def skip_reason(self, row: OutboxRow) -> str | None:
        """Why the row must not be delivered any more, if so."""
        ...

    async def channel_of(self, row: OutboxRow) -> int | None:
        """The channel a server's digest goes to."""
        ...

    async def channel_failed(self, row: OutboxRow, reason: str) -> bool:
        """Stop a server's digest whose channel was refused; True the first time (tell the server)."""
        ...


@dataclass(slots=True)
class DrainResult:
    """What one drain did."""

    sent: int = 0
    retried: int = 0
    dropped: int = 0


Renderer = Callable[[OutboxRow], Awaitable[AlertView | None]]
Route = tuple[TargetKind, int]
"""Where a row goes: a server's alert channel ``(CHANNEL, guild id)`` or a user's DMs ``(DM, user id)``."""


def route_of(row: OutboxRow) -> Route:
    """The route a row is delivered on."""
    return row.target_kind, row.target_id


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Delay before retry number ``attempts`` (1-based): base, 2×base, 4×base … capped."""
    return min(base * (1 << min(max(attempts - 1, 0), 16)), cap)


class Dispatcher:
    """Delivers due outbox rows through a :class:`Sender`, applying the failure policy above."""

    def __init__(
        self,
        storage: Storage,
        render: Renderer,
        *,
        now: Callable[[], datetime],
        max_attempts: int = 8,
        base_delay: timedelta = timedelta(seconds=30),
        max_delay: timedelta = timedelta(hours=1),
        max_in_flight: int = 8,
        max_routes: int = 64,
        patience: float = 2.0,
        recheck: float = 1.0,
        digests: DigestRows | None = None,
        forum: StoryThreads | None = None,
    ) -> None:
        self.storage = storage
        self.forum = forum  # delivers channel rows of servers whose alert channel is a forum
        self.render = render
        self.digests = digests  # digest rows (issue 12): rendered, routed and stopped by the digests
        self.now = now
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_routes = max_routes  # routes worked on at once, slow ones included
        self.patience = patience  # seconds before a slow send stops counting towards max_in_flight
        self.recheck = recheck  # seconds between looks for newly due rows while sends are in flight
        self._slots = asyncio.Semaphore(max_in_flight)
        self._lock = asyncio.Lock()  # one drain at a time: each route has at most one worker
        self._wake = asyncio.Event()
        self._held: dict[Route, datetime] = {}  # routes waiting for the retry of a failed row, until when
        self._sends: set[asyncio.Task[SentMessage]] = set()  # the Discord calls in flight
        self._stopping = False

    def wake(self) -> None:
        """New rows may be due: a running drain looks for them at once instead of at its next recheck."""
        self._wake.set()

    async def drain(self, sender: Sender, *, batch: int = 50) -> DrainResult:
        """Deliver every row due now, routes in parallel; return once none is due and none is in flight."""
        result = DrainResult()
        async with self._lock:
            self._stopping = False
            workers: dict[Route, asyncio.Task[None]] = {}
            try:
                await self._work(workers, sender, result, batch)
            finally:
                if workers:  # only when the drain is cancelled (shutdown)
                    await self._stop(workers)
        return result

    async def _stop(self, workers: dict[Route, asyncio.Task[None]]) -> None:
        """Cancel the sends in flight (their rows stay pending, for the next start), and let each
        worker record what Discord confirmed before the stop, so that nothing is ever sent twice."""
        self._stopping = True
        for send in list(self._sends):
            send.cancel()
        await asyncio.gather(*workers.values(), return_exceptions=True)

    async def seconds_until_due(self) -> float | None:
        """How long until the next pending row is due (0 if one is due now), None if none is pending."""
        at = await self.storage.outbox.next_due_at()
        return None if at is None else max(0.0, (at - self.now()).total_seconds())

    async def _work(self, workers: dict[Route, asyncio.Task[None]], sender: Sender, result: DrainResult,
                    batch: int) -> None:
        """Start a worker per free route with due rows; repeat as workers finish or rows come due."""
        failure: BaseException | None = None
        while True:
            self._wake.clear()
            if failure is None and len(workers) < self.max_routes:
                await self._start_due(workers, sender, result, batch)
            if not workers:
                if failure is not None:
                    raise failure  # a storage error: the caller retries the whole drain later
                return
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait([*workers.values(), waker], timeout=self.recheck,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                waker.cancel()
            for route, task in list(workers.items()):
                if task.done():
                    del workers[route]
                    # Stop starting new work, but let the other routes finish what they are sending.
                    if not task.cancelled() and failure is None:
                        failure = task.exception()

    async def _start_due(self, workers: dict[Route, asyncio.Task[None]], sender: Sender, result: DrainResult,
                         batch: int) -> None:
        now = self.now()
        self._held = {route: until for route, until in self._held.items() if until > now}
        # Busy routes are skipped in SQL, so their rows never fill the batch and starve the others.
        limit = min(batch, self.max_routes - len(workers))
        rows = await self.storage.outbox.due(now, limit=limit, skip_routes=list(workers))
        by_route: dict[Route, list[OutboxRow]] = {}
        for row in rows:
            by_route.setdefault(route_of(row), []).append(row)
        for route, route_rows in by_route.items():
            if (until := self._held.get(route)) is not None:
                # A row queued after its route failed waits behind the failed one.
                await self.storage.outbox.defer([r.id for r in route_rows], at=until, now=now)
            elif len(workers) < self.max_routes:
                workers[route] = asyncio.create_task(self._deliver_route(route, route_rows, sender, result),
                                                     name=f"mercato-delivery-{route[0].value}-{route[1]}")

    async def _deliver_route(self, route: Route, rows: list[OutboxRow], sender: Sender, result: DrainResult) -> None:
        """Deliver one route's rows in order; after a failure its next row would share, hold the route."""
        for index, row in enumerate(rows):
            if self._stopping:
                return
            retry_at = await self._deliver(row, sender, result)
            if retry_at is not None:
                self._held[route] = retry_at
                await self.storage.outbox.defer([r.id for r in rows[index + 1:]], at=retry_at, now=self.now())
                return

    async def _deliver(self, row: OutboxRow, sender: Sender, result: DrainResult) -> datetime | None:
        """Deliver one row; return when to retry its route if the failure is the route's, else None."""
        # Re-read: an earlier row of this route may have dropped this one (same channel or user).
        current = await self.storage.outbox.get(row.id)
        if current is None or current.status != "pending":
            return None
        row = current
        reason = await self._skip_reason(row)
        view = None if reason else await self._view(row)
        if reason is None and view is None:
            reason = "nothing to show: no story left" if row.alert_key.is_digest else "the item no longer exists"
        if reason is not None or view is None:
            await self.storage.outbox.drop(row.id, reason or "", now=self.now())
            result.dropped += 1
            return None
        try:
            sent = await self._in_slot(lambda: self._send(row, view, sender))
        except DeliveryError as exc:
            return await self._failed(row, exc, sender, result)
        except Exception as exc:
            # A bug on our side must not lose the row nor spin on it: log, and retry with backoff.
            log.exception("unexpected error delivering outbox row %s", row.id)
            return await self._failed(row, MessageRejected(f"internal error: {type(exc).__name__}"), sender, result)
        await self.storage.outbox.mark_sent(row.id, message_id=sent.message_id, channel_id=sent.channel_id,
                                            now=self.now())
        result.sent += 1
        return None

    async def _in_slot(self, send: Callable[[], Awaitable[SentMessage]]) -> SentMessage:
        """Send in one of the ``max_in_flight`` slots, giving the slot back if the send outlasts ``patience``."""
        await self._slots.acquire()
        if self._stopping:
            self._slots.release()
            raise asyncio.CancelledError
        task = asyncio.ensure_future(send())
        self._sends.add(task)
        released = False
        try:
            done, _ = await asyncio.wait([task], timeout=self.patience)
            if not done:
                # discord.py is waiting on this route (a 429's retry_after, a 5xx retry): let others send.
                self._slots.release()
                released = True
            return await task
        finally:
            self._sends.discard(task)
            if not released:
                self._slots.release()
            task.cancel()  # a no-op once done

    async def _view(self, row: OutboxRow) -> AlertView | DigestView | None:
        if row.alert_key.is_digest:
            return await self.digests.render(row) if self.digests is not None else None
        return await self.render(row)

    async def _skip_reason(self, row: OutboxRow) -> str | None:
        """Why a row must not be delivered any more (settings changed since it was planned), if so."""
        if row.alert_key.is_digest:
            return await self.digests.skip_reason(row) if self.digests is not None else "digests are not set up"
        if row.target_kind is TargetKind.CHANNEL:
            settings = await self.storage.guilds.get(row.guild_id)
            if settings.alert_channel_id is None:
                return "channel alerts are off"
            if settings.channel_failure is not None:
                return settings.channel_failure
            return None
        user = await self.storage.users.get(row.target_id)
        if user.dm_undeliverable:
            return user.dm_error or "DMs undeliverable"
        return "DMs turned off" if user.dm_mode == "off" else None

    async def _send(self, row: OutboxRow, view: AlertView | DigestView, sender: Sender) -> SentMessage:
        if isinstance(view, DigestView):
            return await self._send_digest(row, view, sender)
        if row.target_kind is TargetKind.CHANNEL and self.forum is not None:
            settings = await self.storage.guilds.get(row.guild_id)
            if settings.alert_channel_kind is ChannelKind.FORUM and settings.alert_channel_id is not None:
                return await self.forum.deliver(row, settings, sender)  # a post per story, a reply per report
        if row.action is Action.EDIT and row.message_id is not None and row.channel_id is not None:
            try:
                return await sender.edit(row.channel_id, row.message_id, view, guild_id=row.guild_id,
                                         dm=row.target_kind is TargetKind.DM)
            except MessageGone:
                await self.storage.outbox.convert_to_send(row.id, now=self.now())
        # The nonce lets Discord drop a repeat of a send whose confirmation we never recorded.
        nonce = f"mercato-{row.id}"
        if row.target_kind is TargetKind.DM:
            return await sender.send_dm(row.target_id, view, guild_id=row.guild_id, nonce=nonce)
        settings = await self.storage.guilds.get(row.guild_id)
        assert settings.alert_channel_id is not None  # checked by _skip_reason
        return await sender.send_channel(settings.alert_channel_id, view, guild_id=row.guild_id, nonce=nonce)

    async def _send_digest(self, row: OutboxRow, view: DigestView, sender: Sender) -> SentMessage:
        nonce = f"mercato-{row.id}"
        if row.target_kind is TargetKind.DM:
            return await sender.send_digest(TargetKind.DM, row.target_id, view, guild_id=row.guild_id, nonce=nonce)
        channel = await self.digests.channel_of(row) if self.digests is not None else None
        if channel is None:
            raise ChannelUnavailable("the digest has no channel")
        return await sender.send_digest(TargetKind.CHANNEL, channel, view, guild_id=row.guild_id, nonce=nonce)

    async def _failed(self, row: OutboxRow, exc: DeliveryError, sender: Sender, result: DrainResult) -> datetime | None:
        """Apply the failure policy to a row; return when its route may be tried again, if it is held."""
        now = self.now()
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, ChannelUnavailable) and row.alert_key.is_digest:
            await self.digest_channel_failed(row, reason, sender)
            result.dropped += 1
        elif isinstance(exc, ChannelUnavailable):
            await self.channel_failed(row.guild_id, reason, sender)
            result.dropped += 1
        elif isinstance(exc, DmClosed):
            await self.storage.users.mark_dm_undeliverable(row.target_id, reason, now=now)
            result.dropped += await self.storage.outbox.drop_dm_rows(row.target_id, reason, now=now)
            log.info("DMs to user %s are closed; their DMs stop until their next command", row.target_id)
        elif isinstance(exc, RateLimited):
            at = now + timedelta(seconds=max(exc.retry_after, 1.0))
            await self.storage.outbox.reschedule(row.id, at=at, error=reason, now=now, count_attempt=False)
            result.retried += 1
            return at
        elif row.attempts + 1 >= self.max_attempts:
            await self.storage.outbox.drop(row.id, f"gave up after {row.attempts + 1} attempts: {reason}", now=now)
            log.warning("gave up outbox row %s after %d attempts: %s", row.id, row.attempts + 1, reason)
            result.dropped += 1
        else:
            at = now + backoff(row.attempts + 1, self.base_delay, self.max_delay)
            await self.storage.outbox.reschedule(row.id, at=at, error=reason, now=now)
            log.warning("outbox row %s failed (%s); retrying at %s", row.id, reason, at.isoformat())
            result.retried += 1
            return None if isinstance(exc, MessageRejected) else at
        return None

    async def tell(self, notices: Sequence[tuple[int, str]], sender: Sender) -> None:
        """Send one-off notices to servers' admins (best effort: a failure is only logged)."""
        for guild_id, text in notices:
            if not await sender.notify_guild(guild_id, text):
                log.warning("could not tell server %s: %s", guild_id, text)

    async def digest_channel_failed(self, row: OutboxRow, reason: str, sender: Sender) -> None:
        """Stop a server's digest whose channel Discord refused, drop the row, and tell the server once."""
        await self.storage.outbox.drop(row.id, reason, now=self.now())
        if self.digests is not None and await self.digests.channel_failed(row, reason):
            log.warning("digest channel of server %s failed (%s); its digest is stopped", row.guild_id, reason)
            text = (f"Mercato can no longer post the daily digest: {reason}. The digest is stopped. Give me View "
                    "Channel, Send Messages and Embed Links there (or pick another channel), then run "
                    "/digest server daily again.")
            if not await sender.notify_guild(row.guild_id, text):
                log.warning("could not tell server %s that its digest channel failed", row.guild_id)

    async def channel_failed(self, guild_id: int, reason: str, sender: Sender) -> None:
        """Stop channel alerts for a server, drop its pending channel rows, and tell it once."""
        now = self.now()
        settings = await self.storage.guilds.get(guild_id)
        await self.storage.guilds.record_channel_failure(guild_id, reason, now=now)
        dropped = await self.storage.outbox.drop_channel_rows(guild_id, reason, now=now)
        log.warning("alert channel of server %s failed (%s); dropped %d pending alerts", guild_id, reason, dropped)
        if await self.storage.guilds.mark_failure_notified(guild_id):
            channel = f"<#{settings.alert_channel_id}>" if settings.alert_channel_id else "the alert channel"
            text = (f"Mercato can no longer post transfer alerts in {channel}: {reason}. "
                    "Alerts there are paused. Give me View Channel, Send Messages and Embed Links there "
                    "(or pick another channel), then run /alerts channel again.")
            if not await sender.notify_guild(guild_id, text):
                log.warning("could not tell server %s that its alert channel failed", guild_id)
