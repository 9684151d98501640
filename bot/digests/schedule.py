"""When digests run: a local time of day in a server's time zone, daylight saving time included. Pure.

A digest set for 08:00 in Europe/London runs at 08:00 UTC in winter and 07:00 UTC in summer. On the
day the clocks go forward, a time that does not exist on the wall clock (02:30) runs at the same
UTC offset as before the change, an hour later by the wall clock; on the day they go back, a time
that happens twice runs the first time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, available_timezones

from bot.errors import InvalidInput

DEFAULT_TIME: Final = time(9, 0)
DEFAULT_ZONE: Final = "UTC"
LATE: Final = timedelta(hours=6)  # a digest later than this (the bot was down) is skipped, not sent stale
_TIME: Final = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2})|h)?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_time(text: str | None) -> time:
    """A time of day as typed: "08:00", "8", "20.30", "8:30pm", "21h" (default 09:00); InvalidInput otherwise."""
    if text is None or not text.strip():
        return DEFAULT_TIME
    found = _TIME.match(text)
    hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (-1, -1)
    half = found.group(3).lower() if found and found.group(3) else None
    if half is not None and 1 <= hour <= 12:
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif half is not None:
        hour = -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput(f"“{text.strip()[:20]}” is not a time of day: write it like 08:00, 18:30 or 8pm.")
    return time(hour, minute)


@cache
def _zones() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def find_zone(name: str) -> str:
    """The canonical IANA name of a time zone, whatever its case ("europe/rome" -> "Europe/Rome")."""
    found = _zones().get(name.strip().casefold())
    if found is None:
        raise InvalidInput(f"“{name.strip()[:60]}” is not a time zone I know: pick one from the list, like "
                           "Europe/London or America/New_York.")
    return found


def zone_choices(current: str, limit: int = 25) -> list[str]:
    """Time zones whose name contains what was typed (for autocomplete), shortest names first."""
    wanted = current.strip().casefold().replace(" ", "_")
    found = sorted((n for k, n in _zones().items() if (wanted in k and "/" in n) or k == wanted),
                   key=lambda n: (not n.casefold().startswith(wanted), len(n), n))
    return found[:limit]


def next_run(local: time, zone: str, after: datetime) -> datetime:
    """The first moment after ``after`` (UTC) at which the clock in ``zone`` reads ``local``."""
    tz = ZoneInfo(zone)
    today = after.astimezone(tz).date()
    for offset in range(-1, 3):
        candidate = datetime.combine(today + timedelta(days=offset), local, tzinfo=tz).astimezone(UTC)
        if candidate > after:
            return candidate
    raise AssertionError("a local time recurs within three days")  # pragma: no cover


def local_day(moment: datetime, zone: str) -> date:
    """The date on the clock in ``zone`` at ``moment``."""
    return moment.astimezone(ZoneInfo(zone)).date()
