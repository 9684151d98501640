"""The window calendar (seeds/windows.toml), deadline mode, and the poll interval switching with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.catalogue import Catalogue
from bot.deadlines import Calendar, Window, load_windows, relevant_leagues
from bot.errors import ConfigError
from bot.scheduling import Poller, TickReport
from bot.storage import Storage
from tests.conftest import SEEDS

BIG_FIVE = {"Premier League", "Serie A", "Bundesliga", "Ligue 1", "LaLiga"}
LEAD = timedelta(hours=72)


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    return load_windows(SEEDS / "windows.toml")


def test_january_2026_closed_on_monday_2_february_in_local_time(calendar: Calendar) -> None:
    january = {w.league: w for w in calendar.windows if w.name == "January 2026"}
    assert set(january) == BIG_FIVE and all(w.confirmed for w in january.values())
    utc = {league: w.closes.astimezone(UTC) for league, w in january.items()}
    assert utc["Premier League"] == datetime(2026, 2, 2, 19, 0, tzinfo=UTC)  # 19:00 UK time (GMT)
    for league in ("Serie A", "Bundesliga", "Ligue 1"):
        assert utc[league] == datetime(2026, 2, 2, 19, 0, tzinfo=UTC)  # 20:00 CET
    assert utc["LaLiga"] == datetime(2026, 2, 2, 22, 59, tzinfo=UTC)  # 23:59 CET
    assert january["Premier League"].closes.weekday() == 0  # a Monday


def test_later_windows_are_unconfirmed_estimates(calendar: Calendar) -> None:
    later = [w for w in calendar.windows if w.name in ("Summer 2026", "January 2027")]
    assert len(later) == 10 and not any(w.confirmed for w in later)
    summer_pl = next(w for w in later if w.name == "Summer 2026" and w.league == "Premier League")
    assert summer_pl.closes.astimezone(UTC) == datetime(2026, 9, 1, 18, 0, tzinfo=UTC)  # 19:00 BST


def test_deadline_mode_and_upcoming(calendar: Calendar) -> None:
    before = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
    inside = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    after = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
    assert not calendar.deadline_mode(before, LEAD)
    assert calendar.deadline_mode(inside, LEAD)
    assert {w.league for w in calendar.closing_within(inside, LEAD, ["Serie A", "Eredivisie"])} == {"Serie A"}
    assert not calendar.deadline_mode(after, LEAD)  # closed windows are over, not "within"
    upcoming = calendar.upcoming(after)
    assert {w.league for w in upcoming} == BIG_FIVE and {w.name for w in upcoming} == {"Summer 2026"}
    assert [w.league for w in calendar.upcoming(before, "LaLiga")] == ["LaLiga"]


def test_league_lookup_and_relevant_leagues(calendar: Calendar, catalogue: Catalogue) -> None:
    assert calendar.find_league("la liga") == "LaLiga"
    assert calendar.find_league("SERIE A") == "Serie A"
    assert calendar.find_league("Eredivisie") is None
    assert relevant_leagues(["player:radu-dragusin"], catalogue) == {"Premier League"}  # via Tottenham
    assert relevant_leagues(["club:ac-milan", "club:napoli", "player:nobody"], catalogue) == {"Serie A"}


def test_invalid_windows_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "windows.toml"
    path.write_text(
        '[[window]]\nleague = "Serie A"\ncloses = 2026-02-02T20:00:00\ntimezone = "Europe/Nowhere"\n'
        '[[window]]\nleague = "LaLiga"\ntimezone = "Europe/Madrid"\n'
        '[[window]]\ncloses = 2026-02-02T20:00:00\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as excinfo:
        load_windows(path)
    assert len(excinfo.value.problems) == 3
    assert "Europe/Nowhere" in excinfo.value.problems[0] and "closes" in excinfo.value.problems[1]
    assert load_windows(tmp_path / "missing.toml") == Calendar()


def test_window_bounds() -> None:
    closes = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
    window = Window("Premier League", "Jan", closes)
    assert window.closes_within(closes - LEAD, LEAD)  # exactly 72 h before
    assert not window.closes_within(closes - LEAD - timedelta(seconds=1), LEAD)
    assert not window.closes_within(closes, LEAD)


async def test_deadline_switches_the_poll_interval_without_restarting(storage: Storage, calendar: Calendar) -> None:
    clock = {"now": datetime(2026, 1, 29, 9, 0, tzinfo=UTC)}
    feed = await storage.feeds.add("https://news.example/rss", now=clock["now"])
    await storage.feeds.record_not_modified(feed.id, now=clock["now"], next_due_at=clock["now"] + timedelta(minutes=5))
    intervals: list[timedelta] = []

    async def cycle(now: datetime, interval: timedelta) -> TickReport:
        intervals.append(interval)
        return TickReport(now, False, interval)

    async def is_deadline(now: datetime) -> bool:
        return calendar.deadline_mode(now, LEAD)

    poller = Poller(cycle, is_deadline=is_deadline, on_deadline_start=storage.feeds.make_all_due,
                    now=lambda: clock["now"], interval=timedelta(minutes=5), deadline_interval=timedelta(seconds=60))
    poller.start(poll_now=False)
    try:
        job = poller.scheduler.get_job("mercato-tick")
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 30
        await poller.tick()
        assert poller.job_interval() == timedelta(minutes=5) and not poller.deadline_mode

        clock["now"] = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
        await poller.tick()
        assert poller.deadline_mode and poller.job_interval() == timedelta(seconds=60)
        assert [f.id for f in await storage.feeds.due(clock["now"])] == [feed.id]  # made due at once

        clock["now"] = datetime(2026, 2, 3, 0, 0, tzinfo=UTC)
        await poller.tick()
        assert not poller.deadline_mode and poller.job_interval() == timedelta(minutes=5)
        assert intervals == [timedelta(minutes=5), timedelta(seconds=60), timedelta(minutes=5)]
        assert poller.ticks == 3
    finally:
        poller.shutdown()
