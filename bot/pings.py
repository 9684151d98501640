"""Role-ping use cases (issue 12): /alerts ping, /alerts pings, /alerts unping.

A rule says "mention this role on a channel alert about [club] [player] from [stage] up, from sources
of [tier] or better". Whether a rule fires is decided when the alert is planned (bot.alerts.filters);
here rules are checked, stored, listed and removed, one server at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.alerts.filters import describe_filter
from bot.catalogue import Catalogue, norm
from bot.errors import InvalidInput, LimitReached, NotFound
from bot.models import Entity, EntityKind, PingRule, Stage
from bot.storage import Storage

MAX_RULES = 20  # per server: enough for a club's roles, few enough to list in one message


@dataclass(frozen=True, slots=True)
class PingLine:
    """A rule as an admin reads it: the role (an id: the Discord side shows its name) and the filter."""

    id: int
    role_id: int
    rule: PingRule
    about: str  # "AC Milan · from here we go, tier ≤ 1" or "every alert"


class Pings:
    """Each server's role-ping rules."""

    def __init__(self, storage: Storage, catalogue: Catalogue, *, limit: int = MAX_RULES) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.limit = limit

    async def add(
        self,
        *,
        guild_id: int,
        role_id: int,
        now: datetime,
        club: str | None = None,
        player: str | None = None,
        min_stage: str | None = None,
        max_tier: int | None = None,
    ) -> tuple[PingLine, bool]:
        """Store a rule; return it and whether it is new. Raises with a one-line reason on bad input."""
        if role_id == guild_id:  # the @everyone role's id is the server's: Mercato never pings everyone
            raise InvalidInput("Mercato never pings @everyone: pick a role, for example @MilanNews.")
        rule = PingRule(
            id=0,
            guild_id=guild_id,
            role_id=role_id,
            club_id=self._entity(club, EntityKind.CLUB).id if club else None,
            player_id=self._entity(player, EntityKind.PLAYER).id if player else None,
            min_stage=parse_stage(min_stage),
            max_tier=parse_tier(max_tier),
        )
        stored = await self.storage.pings.add(rule, now=now, limit=self.limit)
        if stored is None:
            raise LimitReached(f"This server already has {self.limit} role pings, the most allowed. "
                               "Remove one with /alerts unping, then try again.")
        saved, added = stored
        return self._line(saved), added

    async def lines(self, guild_id: int) -> list[PingLine]:
        """The server's rules, oldest first."""
        return [self._line(rule) for rule in await self.storage.pings.of_guild(guild_id)]

    async def remove(self, *, guild_id: int, value: str) -> PingLine:
        """Remove one of this server's rules, named by its id (what /alerts unping's list sends)."""
        rule_id = int(value) if value.strip().isdigit() else None
        removed = await self.storage.pings.remove(guild_id, rule_id) if rule_id is not None else None
        if removed is None:
            raise NotFound("This server has no such role ping. Pick one from the list; /alerts pings shows them all.")
        return self._line(removed)

    async def complete(self, *, guild_id: int, current: str, role_names: Mapping[int, str]) -> list[tuple[str, str]]:
        """(label, value) choices for /alerts unping: the server's rules whose role or filter contain ``current``."""
        wanted = norm(current)
        found = []
        for line in await self.lines(guild_id):
            label = f"@{role_names.get(line.role_id, line.role_id)} · {line.about}"
            if not wanted or wanted in norm(label):
                found.append((label[:100], str(line.id)))
        return found[:25]

    def _line(self, rule: PingRule) -> PingLine:
        names = [self.catalogue.get(e).name for e in (rule.club_id, rule.player_id)
                 if e is not None and self.catalogue.find(e) is not None]
        about = " · ".join(part for part in (" and ".join(names), describe_filter(rule.min_stage, rule.max_tier))
                           if part)
        return PingLine(rule.id, rule.role_id, rule, about or "every alert")

    def _entity(self, query: str, kind: EntityKind) -> Entity:
        entity = self.catalogue.find(query.strip())
        if entity is not None and entity.kind is kind:
            return entity
        found = self.catalogue.resolve(query, kind)
        if not found:
            what = "club" if kind is EntityKind.CLUB else "player"
            raise NotFound(f"I don't know a {what} called “{query.strip()}”. Pick one from the list as you type.")
        return found[0]


def parse_stage(value: str | None) -> Stage | None:
    """A filter's lowest stage from what a command received (a stage value); None for no filter."""
    if not value:
        return None
    try:
        stage = Stage(value.strip().lower().replace(" ", "_"))
    except ValueError:
        stage = None
    if stage is None or stage.is_negative:
        raise InvalidInput("Pick a stage from the list: interest, contact, talks … here we go, official.")
    return stage


def parse_tier(value: int | None) -> int | None:
    """A filter's least reliable tier (0-5); None for no filter."""
    if value is not None and not 0 <= value <= 5:
        raise InvalidInput("The tier goes from 0 (the club itself) to 5 (aggregators).")
    return value
