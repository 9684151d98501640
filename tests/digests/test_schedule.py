"""When digests run: typed times, IANA zones, and the next local time across daylight saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.digests.schedule import find_zone, local_day, next_run, parse_time, zone_choices
from bot.errors import InvalidInput


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "expected"), [
    (None, time(9, 0)), ("", time(9, 0)), ("08:00", time(8, 0)), ("8", time(8, 0)), ("20.30", time(20, 30)),
    ("8:30pm", time(20, 30)), ("12am", time(0, 0)), ("12 PM", time(12, 0)), ("21h", time(21, 0)),
    ("21h15", time(21, 15)), (" 7:05 ", time(7, 5)),
])
def test_times_as_people_type_them(typed: str | None, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "8:60", "13pm", "noon", "0800x", "-1"])
def test_a_wrong_time_says_how_to_write_one(typed: str) -> None:
    with pytest.raises(InvalidInput, match="is not a time of day: write it like 08:00, 18:30 or 8pm"):
        parse_time(typed)


def test_zones_are_iana_names_in_any_case() -> None:
    assert find_zone("europe/london") == "Europe/London"
    assert find_zone(" America/New_York ") == "America/New_York"
    assert find_zone("UTC") == "UTC"
    with pytest.raises(InvalidInput, match="“Mars/Olympus” is not a time zone I know"):
        find_zone("Mars/Olympus")
    assert zone_choices("london") == ["Europe/London"]
    assert zone_choices("new_y")[0] == "America/New_York"
    assert len(zone_choices("")) == 25


def test_a_digest_follows_the_wall_clock_across_the_spring_change() -> None:
    """08:00 in London is 08:00 UTC in winter and 07:00 UTC once the clocks go forward (29 March 2026)."""
    assert next_run(time(8), "Europe/London", utc(2026, 3, 28, 7, 59)) == utc(2026, 3, 28, 8, 0)
    assert next_run(time(8), "Europe/London", utc(2026, 3, 28, 8, 0)) == utc(2026, 3, 29, 7, 0)
    assert next_run(time(8), "Europe/London", utc(2026, 3, 29, 7, 0)) == utc(2026, 3, 30, 7, 0)
    assert local_day(utc(2026, 3, 29, 7, 0), "Europe/London") == date(2026, 3, 29)


def test_and_across_the_autumn_change() -> None:
    """Back to 08:00 UTC after 25 October 2026; New York moves a week later (1 November)."""
    assert next_run(time(8), "Europe/London", utc(2026, 10, 24, 7, 0)) == utc(2026, 10, 25, 8, 0)
    assert next_run(time(18), "America/New_York", utc(2026, 10, 31, 23, 0)) == utc(2026, 11, 1, 23, 0)
    assert next_run(time(18), "America/New_York", utc(2026, 10, 30, 23, 0)) == utc(2026, 10, 31, 22, 0)


def test_a_time_the_clock_skips_runs_an_hour_later_and_a_repeated_one_runs_once() -> None:
    """02:30 does not exist in Berlin on 29 March 2026 (it runs at 03:30 CEST); 01:30 happens twice in
    London on 25 October 2026 (it runs the first time, BST)."""
    assert next_run(time(2, 30), "Europe/Berlin", utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 30)
    assert next_run(time(1, 30), "Europe/London", utc(2026, 10, 24, 12, 0)) == utc(2026, 10, 25, 0, 30)
    assert next_run(time(1, 30), "Europe/London", utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 26, 1, 30)


def test_local_days_start_at_local_midnight() -> None:
    """23:30 UTC on 28 January is already the 29th in Rome and still the 28th in New York."""
    assert local_day(utc(2026, 1, 28, 23, 30), "Europe/Rome") == date(2026, 1, 29)
    assert local_day(utc(2026, 1, 28, 23, 30), "America/New_York") == date(2026, 1, 28)
    assert next_run(time(0, 15), "Pacific/Auckland", utc(2026, 1, 28, 11, 0)) == utc(2026, 1, 28, 11, 15)
