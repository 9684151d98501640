"""Role-ping rules and per-follow filters (issue 12): the pure decisions, and planning with them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.filters import StoryFacts, follow_passes, ping_roles, reaches, rule_passes, story_facts, within_tier
from bot.alerts.plan import PlanContext, Planned, plan_deliveries
from bot.alerts.why import reports_of_alert
from bot.catalogue import Catalogue
from bot.deadlines import Calendar
from bot.models import (
    DmMode,
    Feed,
    Followers,
    FollowHit,
    GuildSettings,
    IngestedItem,
    MatchResult,
    Mention,
    PingRule,
    Report,
    Rumour,
    Source,
    Stage,
    StoredItem,
    StoryUpdate,
    TargetKind,
    UserSettings,
)

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
FEED = Feed(1, "https://news.example/rss", "Calciomercato", None, None, None, 0, None, NOW, False, True)
DRAGUSIN, MILAN, SPURS, ROMA = "player:radu-dragusin", "club:ac-milan", "club:tottenham-hotspur", "club:as-roma"
MILAN_HWG = PingRule(1, 10, role_id=501, club_id=MILAN, min_stage=Stage.HERE_WE_GO, max_tier=1)


def item(*updates: StoryUpdate, mentions: tuple[str, ...] = (DRAGUSIN, MILAN), item_id: int = 5) -> IngestedItem:
    """An item reporting these story updates (Drăgușin leaves Tottenham in each rumour)."""
    stored = StoredItem(item_id, 1, f"i{item_id}", "t", "s", None, NOW, NOW, True, "Calciomercato")
    match = MatchResult("t", tuple(Mention(e, 0, 1, "x") for e in mentions))
    rumours = tuple(Rumour(u.player_id, SPURS, u.to_club_id, u.stage, None, None, False, False, None) for u in updates)
    return IngestedItem(stored, match, FEED, rumours, updates)


def update(stage: Stage, previous: Stage | None = None, club: str = MILAN, story: int = 1) -> StoryUpdate:
    return StoryUpdate(story, DRAGUSIN, club, stage, previous, previous is None)


@pytest.mark.parametrize(("stage", "previous", "wanted", "passes"), [
    (Stage.TALKS, None, None, True),
    (Stage.TALKS, None, Stage.TALKS, True),
    (Stage.INTEREST, None, Stage.TALKS, False),
    (Stage.OFFICIAL, Stage.HERE_WE_GO, Stage.HERE_WE_GO, True),
    (Stage.COLLAPSED, Stage.HERE_WE_GO, Stage.HERE_WE_GO, True),  # the here-we-go fell through: news
    (Stage.COLLAPSED, Stage.TALKS, Stage.HERE_WE_GO, False),  # talks fell through: not a here-we-go story
    (Stage.DENIED, None, Stage.INTEREST, False),  # a denial of nothing reached
])
def test_a_stage_filter_passes_a_story_that_got_that_far(
    stage: Stage, previous: Stage | None, wanted: Stage | None, passes: bool
) -> None:
    assert reaches(stage, previous, wanted) is passes


def test_an_explicit_tier_filter_needs_a_known_tier() -> None:
    assert within_tier(1, 1) and within_tier(None, None) and within_tier(5, None)
    assert not within_tier(2, 1) and not within_tier(None, 5)


def test_a_ping_rule_needs_its_club_and_player_in_one_story_at_its_stage_from_its_tier() -> None:
    hwg = [StoryFacts(DRAGUSIN, MILAN, SPURS, Stage.HERE_WE_GO, Stage.TALKS, tier=1)]
    assert rule_passes(MILAN_HWG, hwg, [], None)
    assert not rule_passes(MILAN_HWG, [replace(hwg[0], tier=3)], [], 1)  # tier 3 here we go
    assert not rule_passes(MILAN_HWG, [replace(hwg[0], tier=None)], [], 1)  # unknown tier
    assert not rule_passes(MILAN_HWG, [replace(hwg[0], stage=Stage.TALKS)], [], 1)
    assert not rule_passes(MILAN_HWG, [replace(hwg[0], to_club_id=ROMA, from_club_id=None)], [MILAN], 1)
    selling = PingRule(2, 10, 502, club_id=SPURS)
    assert rule_passes(selling, hwg, [], None)  # Tottenham sells: a Tottenham story
    both = PingRule(3, 10, 503, club_id=ROMA, player_id=DRAGUSIN)
    assert not rule_passes(both, hwg, [], 1) and rule_passes(PingRule(4, 10, 504, player_id=DRAGUSIN), hwg, [], 1)


def test_each_story_has_the_tier_of_the_source_given_for_it() -> None:
    """Fabrizio Romano (tier 1) is cited about Roma; the Milan here we go rests on the outlet (tier 3)."""
    romano, outlet = Source("Fabrizio Romano", 1), Source("Calciomercato.com", 3)
    updates = (update(Stage.HERE_WE_GO, club=MILAN), update(Stage.TALKS, club=ROMA, story=2))
    rumours = (Rumour(DRAGUSIN, SPURS, MILAN, Stage.HERE_WE_GO, None, None, False, False, outlet),
               Rumour(DRAGUSIN, SPURS, ROMA, Stage.TALKS, None, None, False, False, romano))
    mixed = replace(item(*updates), rumours=rumours)

    assert [f.tier for f in story_facts(mixed, 1)] == [3, 1]
    assert ping_roles([MILAN_HWG, PingRule(2, 10, 502, club_id=ROMA, max_tier=1)], mixed, 1) == (502,)
    assert not follow_passes(FollowHit(10, 7, MILAN, None, None, 2), mixed, 1)


def test_an_item_without_a_rumour_passes_only_a_rule_without_a_stage_naming_what_it_mentions() -> None:
    assert rule_passes(PingRule(1, 10, 501, club_id=MILAN), [], [MILAN, DRAGUSIN], None)
    assert not rule_passes(PingRule(1, 10, 501, club_id=ROMA), [], [MILAN, DRAGUSIN], None)
    assert not rule_passes(PingRule(1, 10, 501, club_id=MILAN, min_stage=Stage.INTEREST), [], [MILAN], None)


def test_a_follow_filter_looks_at_the_stories_about_what_it_follows() -> None:
    roma_talks_milan_interest = item(update(Stage.TALKS, club=ROMA), update(Stage.INTEREST, club=MILAN, story=2))
    from_talks = FollowHit(10, 7, MILAN, None, Stage.TALKS, None)
    assert not follow_passes(from_talks, roma_talks_milan_interest, 1)  # Milan's story is only interest
    assert follow_passes(FollowHit(10, 7, ROMA, None, Stage.TALKS, None), roma_talks_milan_interest, 1)
    assert follow_passes(FollowHit(10, 7, None, "dragusin", Stage.TALKS, None), roma_talks_milan_interest, 1)
    assert not follow_passes(FollowHit(10, 7, DRAGUSIN, None, None, 2), roma_talks_milan_interest, 5)
    assert not follow_passes(FollowHit(10, 7, DRAGUSIN, None, Stage.INTEREST, None), item(), 1)  # no story
    assert follow_passes(FollowHit(10, 7, DRAGUSIN, None), item(), None)  # no filter: everything


def context(catalogue: Catalogue, pings: dict[int, list[PingRule]], *, floor: int = 5) -> PlanContext:
    guilds = {10: GuildSettings(10, alert_channel_id=100, tier_floor=floor), 20: GuildSettings(20, alert_channel_id=200)}
    users = {7: UserSettings(7, DmMode.ALWAYS), 8: UserSettings(8, DmMode.ALWAYS)}
    return PlanContext(guilds, users, Calendar(()), catalogue, NOW, timedelta(hours=72), pings=pings)


def test_planning_puts_the_firing_roles_on_the_channel_delivery_only(catalogue: Catalogue) -> None:
    hwg = item(update(Stage.HERE_WE_GO, Stage.TALKS))
    hits = [Followers(MILAN, None, (10,), (7,)), Followers(DRAGUSIN, None, (10,), (8,), Stage.OFFICIAL, None)]
    rules = {10: [MILAN_HWG, PingRule(2, 10, 502, club_id=ROMA)], 20: [PingRule(3, 20, 601)]}
    out = plan_deliveries([Planned(hwg, hits, tier=1)], context(catalogue, rules))

    by_target = {(d.target_kind, d.target_id): d for d in out}
    assert by_target[(TargetKind.CHANNEL, 10)].ping_roles == (501,)  # never another server's role
    assert by_target[(TargetKind.DM, 7)].ping_roles == ()
    assert (TargetKind.DM, 8) not in by_target  # his follow waits for "official"
    assert set(by_target) == {(TargetKind.CHANNEL, 10), (TargetKind.DM, 7)}


def test_a_server_there_only_for_its_rules_gets_the_alert_only_when_one_fires(catalogue: Catalogue) -> None:
    rules = {10: [MILAN_HWG]}
    fired = plan_deliveries([Planned(item(update(Stage.HERE_WE_GO)), [], tier=1, ping_guilds=frozenset({10}))], context(catalogue, rules))
    quiet = plan_deliveries([Planned(item(update(Stage.HERE_WE_GO)), [], tier=3, ping_guilds=frozenset({10}))], context(catalogue, rules))
    floored = plan_deliveries([Planned(item(update(Stage.HERE_WE_GO)), [], tier=1, ping_guilds=frozenset({10}))],
                              context(catalogue, rules, floor=0))

    assert [(d.target_kind, d.target_id, d.ping_roles) for d in fired] == [(TargetKind.CHANNEL, 10, (501,))]
    assert quiet == [] and floored == []  # tier 3 fires nothing; the tier floor still governs the channel


def test_two_items_of_one_alert_in_one_poll_show_the_first_and_ping_for_either(catalogue: Catalogue) -> None:
    tier3 = Planned(item(update(Stage.HERE_WE_GO), item_id=5), [Followers(MILAN, None, (10,), (7,))], tier=3)
    tier1 = Planned(item(update(Stage.HERE_WE_GO), item_id=6), [Followers(MILAN, None, (10,), (7,))], tier=1)
    [channel] = [d for d in plan_deliveries([tier3, tier1], context(catalogue, {10: [MILAN_HWG]}))
                 if d.target_kind is TargetKind.CHANNEL]

    assert channel.item_id == 5 and channel.ping_roles == (501,)


def test_the_why_of_an_alert_lists_the_reports_from_its_climb_to_the_next() -> None:
    def report(item_id: int, stage: Stage) -> Report:
        return Report(item_id, f"Outlet {item_id}", 3, stage, NOW + timedelta(minutes=item_id))

    trail = [report(1, Stage.INTEREST), report(2, Stage.TALKS), report(3, Stage.INTEREST), report(4, Stage.TALKS),
             report(5, Stage.AGREEMENT), report(6, Stage.TALKS)]

    assert [r.item_id for r in reports_of_alert(trail, Stage.INTEREST)] == [1]
    assert [r.item_id for r in reports_of_alert(trail, Stage.TALKS)] == [2, 3, 4]  # a later "interest" edits it
    assert [r.item_id for r in reports_of_alert(trail, Stage.AGREEMENT)] == [5, 6]
    assert reports_of_alert(trail, Stage.MEDICAL) == []
