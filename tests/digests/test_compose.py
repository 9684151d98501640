"""What a digest says: the day's stories about what is followed, as the server saw them, hottest first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digests.compose import Covered, compose, concerns, of_the_day
from bot.models import Report, Stage, Story
from bot.stories import heat

UNTIL = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
FEED, OTHER_FEED = 1, 2


def report(item_id: int, hours_ago: float, stage: Stage = Stage.TALKS, *, outlet: str = "Sky", tier: int | None = 1,
           feed: int = FEED, title: str = "Milan talks") -> Report:
    return Report(item_id, outlet, tier, stage, UNTIL - timedelta(hours=hours_ago), f"https://x.example/{item_id}",
                  title, feed_id=feed)


def story(story_id: int, player: str, club: str, *reports: Report, from_club: str | None = None) -> Story:
    ordered = tuple(sorted(reports, key=lambda r: r.published))
    top = max((r.stage for r in reports), key=lambda s: s.rank)
    return Story(story_id, player, club, from_club, top, None, None, ordered[0].item_id, ordered[0].published,
                 ordered[-1].published, ordered)


MILAN = Covered(frozenset({"club:ac-milan"}), (), {FEED})


def test_only_stories_with_a_report_in_the_24_hours_before_the_digest() -> None:
    today = story(1, "player:a", "club:ac-milan", report(1, 30), report(2, 3))
    yesterday = story(2, "player:b", "club:ac-milan", report(3, 25))
    later = story(3, "player:c", "club:ac-milan", report(4, -1))  # after the digest's time
    ranked = of_the_day([today, yesterday, later], MILAN, UNTIL)
    assert [s.id for s, _ in ranked] == [1]
    seen, value = ranked[0]
    assert value == heat(seen.reports, Stage.TALKS, UNTIL) and len(seen.reports) == 2  # older reports still count


def test_hottest_first_as_the_server_saw_them() -> None:
    """Another server's feed neither makes a story nor heats it; a report after the digest's time does not count."""
    cold = story(1, "player:a", "club:ac-milan", report(1, 10, Stage.INTEREST, tier=4))
    hot = story(2, "player:b", "club:ac-milan", report(2, 2, Stage.AGREEMENT), report(3, 1, outlet="Gazzetta"))
    private = story(3, "player:c", "club:ac-milan", report(4, 1, Stage.HERE_WE_GO, feed=OTHER_FEED))
    climbed_later = story(4, "player:d", "club:ac-milan", report(5, 5), report(6, -2, Stage.OFFICIAL))
    ranked = of_the_day([cold, hot, private, climbed_later], MILAN, UNTIL)
    assert [s.id for s, _ in ranked] == [2, 4, 1]
    assert ranked[1][0].stage is Stage.TALKS  # its official report came after the digest's time


def test_a_story_is_about_a_followed_player_or_club_or_term() -> None:
    milan = story(1, "player:a", "club:ac-milan", report(1, 1))
    leaving = story(2, "player:b", "club:napoli", report(2, 1), from_club="club:ac-milan")
    term = story(3, "player:c", "club:roma", report(3, 1, title="Wonderkid joins Roma"))
    assert concerns(milan, MILAN) and concerns(leaving, MILAN) and not concerns(term, MILAN)
    wonder = Covered(frozenset(), ("wonderkid",), {FEED})
    assert concerns(term, wonder) and not concerns(milan, wonder)
    assert not concerns(story(4, "player:d", "club:roma", report(4, 1, title="Wonderkids everywhere")), wonder)


def test_a_server_digest_keeps_to_its_tier_floor() -> None:
    gossip = story(1, "player:a", "club:ac-milan", report(1, 1, tier=5))
    unknown = story(2, "player:b", "club:ac-milan", report(2, 1, tier=None))
    strict = Covered(MILAN.entity_ids, (), {FEED}, tier_floor=3)
    assert [s.id for s, _ in of_the_day([gossip, unknown], strict, UNTIL)] == [2]


def test_compose_keeps_the_top_and_counts_the_rest() -> None:
    stories = [story(n, f"player:p{n}", "club:ac-milan", report(n, n)) for n in range(1, 14)]
    ranked = of_the_day(stories, MILAN, UNTIL)
    view = compose(ranked, day=date(2026, 1, 29), zone="Europe/Rome", until=UNTIL, server=True,
                   name=lambda e: e.split(":")[1].upper())
    assert len(view.entries) == 10 and view.more == 3
    first = view.entries[0]
    assert (first.player, first.to_club, first.stage, first.outlets) == ("P1", "AC-MILAN", "talks", 1)
    assert (first.title, first.link, first.outlet) == ("Milan talks", "https://x.example/1", "Sky")
