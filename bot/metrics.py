"""Prometheus metrics for one Mercato process (served on /metrics, see :mod:`bot.health`).

Each process (and each test) has its own registry, so nothing is global. Counters are fed by small
hooks: the poll cycle's result, the poll tick's duration, every delivery attempt (through
:class:`MeteredSender`, which wraps whatever sends to Discord) and retention's prunes. Values that are
state rather than events (outbox depth, gateway connected, last poll) are read when scraped.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import TYPE_CHECKING, Final, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from bot.alerts.forum import ForumSender
from bot.delivery import (
    ChannelUnavailable,
    DeliveryError,
    DmClosed,
    MessageGone,
    MessageRejected,
    RateLimited,
    Sender,
    SentMessage,
)

if TYPE_CHECKING:
    from bot.alerts.forum import NewPost
    from bot.ingest import PollResult
    from bot.models import AlertView, DigestView, TargetKind

T = TypeVar("T")
CONTENT_TYPE: Final = CONTENT_TYPE_PLAIN_0_0_4  # the text format every Prometheus version scrapes
# A tick polls every due feed (20 s timeout each, fetched concurrently); a delivery is one Discord call.
POLL_BUCKETS: Final = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)
DELIVERY_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def failure_reason(exc: BaseException) -> str:
    """A small, fixed set of labels for why a delivery failed (never Discord's free text)."""
    if isinstance(exc, ChannelUnavailable):
        return "channel_unavailable"
    if isinstance(exc, DmClosed):
        return "dm_closed"
    if isinstance(exc, MessageGone):
        return "message_gone"
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, DeliveryError):
        return "temporary"  # 5xx, network: retried with backoff
    return "internal"


class Metrics:
    """Every metric Mercato exports, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.feed_polls = Counter("mercato_feed_polls", "Feed polls, by outcome (new, not_modified, error).",
                                  ["outcome"], registry=r)
        self.items = Counter("mercato_items_stored", "New items stored from feeds.", registry=r)
        self.alertable = Counter("mercato_items_alertable", "New items young enough to alert.", registry=r)
        self.rumours = Counter("mercato_rumours", "Rumours read in new alertable items.", registry=r)
        self.ticks = Counter("mercato_poll_ticks", "Poll ticks, by result (ok, failed).", ["result"], registry=r)
        self.poll_seconds = Histogram("mercato_poll_duration_seconds", "How long one poll tick took.",
                                      buckets=POLL_BUCKETS, registry=r)
        self.sent = Counter("mercato_alerts_sent", "Alerts Discord accepted, by target (channel, dm) and action.",
                            ["target", "action"], registry=r)
        self.failed = Counter("mercato_alerts_failed", "Alert deliveries that failed, by reason.", ["reason"],
                              registry=r)
        self.delivery_seconds = Histogram("mercato_delivery_duration_seconds", "How long one Discord delivery "
                                          "call took (send, DM or edit).", buckets=DELIVERY_BUCKETS, registry=r)
        self.pruned = Counter("mercato_items_pruned", "Items deleted by retention (MERCATO_RETENTION_DAYS).",
                              registry=r)
        self.outbox_pending = Gauge("mercato_outbox_pending", "Deliveries waiting in the outbox.", registry=r)
        self.outbox_lag = Gauge("mercato_outbox_oldest_due_seconds", "How long the most overdue pending delivery "
                                "has been due (0 when none is overdue).", registry=r)
        self.gateway = Gauge("mercato_gateway_connected", "1 while connected to Discord's gateway.", registry=r)
        self.last_poll = Gauge("mercato_last_poll_timestamp_seconds", "When the last poll tick finished (Unix time).",
                               registry=r)
        for outcome in ("new", "not_modified", "error"):
            self.feed_polls.labels(outcome)  # exported as 0 from the start, so rate() works from the first scrape
        for result in ("ok", "failed"):
            self.ticks.labels(result)

    def poll_result(self, result: PollResult) -> None:
        """Count one cycle's feed polls, new items and rumours."""
        for report in result.reports:
            self.feed_polls.labels(report.outcome).inc()
            self.items.inc(report.new_items)
            self.alertable.inc(report.alertable)
        self.rumours.inc(sum(len(a.rumours) for a in result.alerts))

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


class MeteredSender:
    """A :class:`~bot.delivery.Sender` that counts and times every delivery attempt of the one it wraps."""

    def __init__(self, inner: Sender, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def send_channel(self, channel_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Post in a channel, counted."""
        return await self._timed("channel", "send", lambda: self.inner.send_channel(
            channel_id, view, guild_id=guild_id, nonce=nonce))

    async def send_dm(self, user_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """DM a user, counted."""
        return await self._timed("dm", "send", lambda: self.inner.send_dm(user_id, view, guild_id=guild_id,
                                                                          nonce=nonce))

    async def edit(self, channel_id: int, message_id: int, view: AlertView, *, guild_id: int, dm: bool) -> SentMessage:
        """Edit an alert, counted."""
        return await self._timed("dm" if dm else "channel", "edit", lambda: self.inner.edit(
            channel_id, message_id, view, guild_id=guild_id, dm=dm))

    async def send_digest(self, kind: TargetKind, target_id: int, view: DigestView, *, guild_id: int,
                          nonce: str) -> SentMessage:
        """Post or DM a digest, counted (action "digest")."""
        return await self._timed(kind.value, "digest", lambda: self.inner.send_digest(
            kind, target_id, view, guild_id=guild_id, nonce=nonce))

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        """Notices to server admins are not alerts: passed through uncounted."""
        return await self.inner.notify_guild(guild_id, text)

    # Story threads (bot.alerts.forum): a post and a reply count as channel sends, a starter edit as an edit;
    # looking posts up and tagging them are not deliveries.

    async def newest_post(self, forum_id: int, *, guild_id: int) -> int:
        """The forum's newest post id, uncounted."""
        return await self._forum().newest_post(forum_id, guild_id=guild_id)

    async def create_post(self, forum_id: int, post: NewPost, view: AlertView, *, guild_id: int) -> SentMessage:
        """Create a forum post, counted."""
        return await self._timed("channel", "send", lambda: self._forum().create_post(
            forum_id, post, view, guild_id=guild_id))

    async def find_posts(self, forum_id: int, *, guild_id: int, title: str, after: int) -> list[int]:
        """Look a post up, uncounted."""
        return await self._forum().find_posts(forum_id, guild_id=guild_id, title=title, after=after)

    async def reply(self, thread_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Reply in a post, counted."""
        return await self._timed("channel", "send", lambda: self._forum().reply(
            thread_id, view, guild_id=guild_id, nonce=nonce))

    async def set_tags(
        self, forum_id: int, thread_id: int, tags: Sequence[str], *, guild_id: int, drop: Collection[str]
    ) -> None:
        """Tag a post, uncounted."""
        await self._forum().set_tags(forum_id, thread_id, tags, guild_id=guild_id, drop=drop)

    async def edit_starter(self, thread_id: int, message_id: int, view: AlertView, *, guild_id: int) -> SentMessage:
        """Edit a post's starter message, counted."""
        return await self._timed("channel", "edit", lambda: self._forum().edit_starter(
            thread_id, message_id, view, guild_id=guild_id))

    def _forum(self) -> ForumSender:
        if not isinstance(self.inner, ForumSender):
            raise MessageRejected("this delivery path cannot post in forum channels")
        return self.inner

    async def _timed(self, target: str, action: str, call: Callable[[], Awaitable[T]]) -> T:
        started = time.monotonic()
        try:
            result = await call()
        except Exception as exc:  # not CancelledError: a shutdown is not a failed delivery
            self.metrics.failed.labels(failure_reason(exc)).inc()
            raise
        finally:
            self.metrics.delivery_seconds.observe(time.monotonic() - started)
        self.metrics.sent.labels(target, action).inc()
        return result
