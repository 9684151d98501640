"""The transfer-window calendar: when each league's window closes, deadline mode, countdowns.

Windows are read from ``seeds/windows.toml``: local date-times with an IANA time zone, so "19:00 UK
time" stays right across daylight-saving changes. Everything here is pure and takes ``now``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.catalogue import Catalogue, norm
from bot.errors import ConfigError
from bot.models import EntityKind


@dataclass(frozen=True, slots=True)
class Window:
    """One league's transfer window; ``closes`` (and ``opens``) are aware datetimes in the league's zone."""

    league: str
    name: str
    closes: datetime
    opens: datetime | None = None
    confirmed: bool = True

    def closes_within(self, now: datetime, lead: timedelta) -> bool:
        """True if the window is still open at ``now`` and closes no later than ``now + lead``."""
        return now < self.closes <= now + lead


@dataclass(frozen=True, slots=True)
class Calendar:
    """Every known window, sorted by closing time."""

    windows: tuple[Window, ...] = ()

    @property
    def leagues(self) -> list[str]:
        """The leagues with a window, in file order."""
        return list(dict.fromkeys(w.league for w in self.windows))

    def find_league(self, query: str) -> str | None:
        """The league a typed name means ("serie a", "la liga", "ligue1"), folding case and spaces."""
        wanted = norm(query).replace(" ", "")
        for league in self.leagues:
            if norm(league).replace(" ", "") == wanted:
                return league
        return None

    def upcoming(self, now: datetime, league: str | None = None) -> list[Window]:
        """The next window to close for each league (or for one league), soonest first."""
        nxt: dict[str, Window] = {}
        for window in self.windows:
            if window.closes > now and (league is None or window.league == league):
                nxt.setdefault(window.league, window)
        return sorted(nxt.values(), key=lambda w: w.closes)

    def closing_within(self, now: datetime, lead: timedelta, leagues: Iterable[str] | None = None) -> list[Window]:
        """Windows (of ``leagues``, if given) that close within ``lead`` of ``now``."""
        wanted = None if leagues is None else set(leagues)
        return [w for w in self.windows if (wanted is None or w.league in wanted) and w.closes_within(now, lead)]

    def deadline_mode(self, now: datetime, lead: timedelta) -> bool:
        """True while any window closes within ``lead``: feeds are then polled faster."""
        return bool(self.closing_within(now, lead))


def relevant_leagues(entity_ids: Iterable[str], catalogue: Catalogue) -> set[str]:
    """Leagues whose deadline concerns these entities: a club's league, and a player's club's league."""
    leagues: set[str] = set()
    for entity_id in entity_ids:
        entity = catalogue.find(entity_id)
        if entity is None:
            continue
        club = entity if entity.kind is EntityKind.CLUB else catalogue.club_of(entity.id)
        if club is not None and club.league:
            leagues.add(club.league)
    return leagues


def load_windows(path: Path) -> Calendar:
    """Load ``windows.toml``; every problem is reported at once (a missing file is an empty calendar)."""
    if not path.is_file():
        return Calendar()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: {exc}"]) from exc
    problems: list[str] = []
    windows = [w for n, raw in enumerate(data.get("window", []), 1) if (w := _window(raw, f"{path}: window {n}",
                                                                                 problems))]
    if problems:
        raise ConfigError(problems)
    return Calendar(tuple(sorted(windows, key=lambda w: w.closes)))


def _window(raw: dict[str, object], where: str, problems: list[str]) -> Window | None:
    league, name, zone = raw.get("league"), raw.get("name"), raw.get("timezone", "UTC")
    if not isinstance(league, str) or not league.strip():
        problems.append(f"{where}: `league` is required")
        return None
    try:
        tz = ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"{where}: unknown timezone {zone!r} (use an IANA name such as Europe/London)")
        return None
    closes = _local(raw.get("closes"), tz, f"{where}: closes", problems)
    opens = _local(raw.get("opens"), tz, f"{where}: opens", problems) if "opens" in raw else None
    if closes is None:
        return None
    confirmed = raw.get("confirmed", False)
    return Window(league.strip(), str(name or closes.year), closes, opens, confirmed is True)


def _local(value: object, tz: ZoneInfo, where: str, problems: list[str]) -> datetime | None:
    # TOML local date-times parse to naive datetimes: they are wall-clock times in the window's zone.
    if not isinstance(value, datetime):
        problems.append(f"{where}: expected a date-time such as 2026-02-02T19:00:00")
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


