"""Alerts: what is delivered where (outbox rows), and what an alert shows (AlertView)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.models.catalogue import MatchResult
from bot.models.feeds import Feed, StoredItem
from bot.models.rumours import Rumour
from bot.models.stories import AlertKey, StoryUpdate


@dataclass(frozen=True, slots=True)
class IngestedItem:
    """A new, alertable item with what it mentions, and the servers whose feed lists carry it."""

    item: StoredItem
    match: MatchResult
    feed: Feed
    rumours: tuple[Rumour, ...] = ()
    stories: tuple[StoryUpdate, ...] = ()  # what this item did to each story it reports


class TargetKind(StrEnum):
    """Where a delivery goes: a server's alert channel (target id = guild id) or a user's DMs (user id)."""

    CHANNEL = "channel"
    DM = "dm"


class Status(StrEnum):
    """Where a row is in its life."""

    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"


class Action(StrEnum):
    """What delivering a pending row does: post a new message, or edit the one already posted."""

    SEND = "send"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery to enqueue: alert ``alert_key``, triggered by item ``item_id``, to one target."""

    alert_key: AlertKey
    target_kind: TargetKind
    target_id: int
    guild_id: int
    item_id: int
    ping_roles: tuple[int, ...] = ()  # roles the first message mentions (channel deliveries; issue 12)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored delivery. ``item_id`` is the item that last triggered it (the newest report)."""

    id: int
    alert_key: AlertKey
    target_kind: TargetKind
    target_id: int
    guild_id: int
    channel_id: int | None
    item_id: int
    action: Action
    status: Status
    attempts: int
    next_attempt_at: datetime
    message_id: int | None
    last_error: str | None
    ping_roles: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """How many rows an enqueue added, and how many sent rows it turned into pending edits."""

    added: int = 0
    edits: int = 0


@dataclass(frozen=True, slots=True)
class AlertView:
    """What an alert shows, ready for the Discord side to lay out (all text still unescaped).

    ``title``, ``link``, ``outlet``, ``summary`` and ``published`` are the article the alert is
    about: for a new alert the item that triggered it. ``stage``, ``deal``, ``fee``, ``source``,
    ``tier``, ``outlets`` and ``heat`` describe the story it belongs to, when it has one.
    """

    title: str
    link: str | None
    outlet: str | None
    summary: str
    published: datetime
    lines: tuple[str, ...]  # "Radu Drăgușin (Tottenham) → AC Milan, AS Roma"
    entities: tuple[str, ...]  # names of every player and club matched
    follow_entity_id: str | None = None
    follow_label: str | None = None
    stage: str | None = None
    deal: str | None = None
    fee: str | None = None
    source: str | None = None
    tier: int | None = None
    outlets: tuple[str, ...] = ()  # the other outlets that reported the story ("also reported by")
    outlet_count: int | None = None  # distinct outlets behind the story, the shown article's included
    heat: float | None = None
    latest_report: str | None = None  # on an edit: "Sky Sport: <title>" of the newest report, when not the head
    latest_link: str | None = None
    ping_roles: tuple[int, ...] = ()  # roles this message mentions: only a channel alert's first message
    why_id: int | None = None  # the outbox row the "Why?" button explains
