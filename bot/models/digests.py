"""Digests (issue 12): a server's or a fan's daily summary of the top stories by heat, and what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

SERVER: int = 0  # the user id of a server's own digest (posted in a channel); a member's digest has theirs


@dataclass(frozen=True, slots=True)
class DigestSubscription:
    """A daily digest: a server's (``user_id`` 0, in ``channel_id``) or a member's (by DM), at a local time.

    ``next_at`` is when the next one is due (UTC), computed from ``local_time`` in the server's time
    zone; ``failure`` is set when Discord refused the digest channel, which stops it until set again.
    """

    guild_id: int
    user_id: int
    channel_id: int | None
    local_time: time
    next_at: datetime
    failure: str | None = None

    @property
    def is_server(self) -> bool:
        """True for the server's own digest (in a channel), False for a member's (by DM)."""
        return self.user_id == SERVER


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One story in a digest, names resolved (all text still unescaped)."""

    player: str
    from_club: str | None
    to_club: str
    stage: str
    heat: float
    outlets: int
    title: str  # the newest report's headline
    link: str | None
    outlet: str


@dataclass(frozen=True, slots=True)
class DigestView:
    """What a digest message shows: the top stories of a local day by heat, and how many more there were."""

    day: date
    zone: str  # the IANA time zone its day and time are in
    until: datetime  # the end of the 24 hours it covers (its scheduled time)
    server: bool  # True: what the server's members follow; False: what one member follows
    entries: tuple[DigestEntry, ...]
    more: int = 0  # stories that did not make the top
