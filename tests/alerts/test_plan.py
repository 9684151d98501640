"""Alert planning (pure): targets, DM modes, deadline leagues, one alert per story; and alert views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.plan import PlanContext, Planned, alert_key, deadline_leagues, plan_deliveries
from bot.alerts.view import build_alert_view, safe_link
from bot.catalogue import Catalogue, Matcher
from bot.deadlines import Calendar, Window
from bot.models import (
    AlertKey,
    Delivery,
    DmMode,
    Feed,
    Followers,
    GuildSettings,
    IngestedItem,
    StoredItem,
    TargetKind,
    UserSettings,
)

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
CLOSE = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
FEED = Feed(1, "https://news.example/rss", "Calciomercato", None, None, None, 0, None, NOW, False, True)
CH, DM = TargetKind.CHANNEL, TargetKind.DM


def ingested(matcher: Matcher, seed_article: tuple[str, str], item_id: int = 5) -> IngestedItem:
    title, body = seed_article
    item = StoredItem(item_id, 1, "seed", title, body, "https://news.example/seed", NOW, NOW, True, "Calciomercato")
    return IngestedItem(item, matcher.match_item(title, body), FEED)


def context(catalogue: Catalogue, *, now: datetime = NOW, guilds: dict[int, GuildSettings] | None = None,
            users: dict[int, UserSettings] | None = None, leagues: tuple[str, ...] = ("Premier League",)) -> PlanContext:
    calendar = Calendar(tuple(Window(league, "January 2026", CLOSE) for league in leagues))
    return PlanContext(guilds or {}, users or {}, calendar, catalogue, now, timedelta(hours=72))


def hit(user: int, entity: str | None = "player:radu-dragusin", guild: int = 10, term: str | None = None) -> Followers:
    return Followers(entity, term, (guild,), (user,))


def test_alert_key_is_per_item(matcher: Matcher, seed_article: tuple[str, str]) -> None:
    assert alert_key(ingested(matcher, seed_article, 42)) == AlertKey.for_item(42)


def test_channel_delivery_needs_a_working_channel_and_the_tier_floor(
    catalogue: Catalogue, matcher: Matcher, seed_article: tuple[str, str]
) -> None:
    item = ingested(matcher, seed_article)
    guilds = {
        10: GuildSettings(10, alert_channel_id=100),
        20: GuildSettings(20, alert_channel_id=200, tier_floor=3),
        30: GuildSettings(30),  # no channel set
        40: GuildSettings(40, alert_channel_id=400, channel_failure="deleted"),
    }
    users = {u: UserSettings(u, DmMode.OFF) for u in (1, 2, 3, 4)}
    hits = [hit(1, guild=10), hit(2, guild=20), hit(3, guild=30), hit(4, guild=40)]
    ctx = context(catalogue, guilds=guilds, users=users)

    tier4 = plan_deliveries([Planned(item, hits, tier=4)], ctx)
    assert [(d.target_kind, d.target_id) for d in tier4] == [(CH, 10)]  # 20 hides tier 4; 30 and 40 can't
    tier3 = plan_deliveries([Planned(item, hits, tier=3)], ctx)
    assert [(d.target_kind, d.target_id, d.guild_id, d.item_id) for d in tier3] == [(CH, 10, 10, 5), (CH, 20, 20, 5)]
    unknown = plan_deliveries([Planned(item, hits, tier=None)], ctx)  # an unknown tier is not hidden
    assert len(unknown) == 2


@pytest.mark.parametrize(
    ("mode", "now", "wanted"),
    [
        (DmMode.ALWAYS, NOW, True),
        (DmMode.OFF, CLOSE - timedelta(hours=1), False),
        (DmMode.DEADLINE, NOW, False),  # 4 days 10 h before the close: outside 72 h
        (DmMode.DEADLINE, CLOSE - timedelta(hours=72), True),
        (DmMode.DEADLINE, CLOSE + timedelta(minutes=1), False),  # closed
    ],
)
def test_dm_modes(catalogue: Catalogue, matcher: Matcher, seed_article: tuple[str, str], mode: DmMode,
                  now: datetime, wanted: bool) -> None:
    ctx = context(catalogue, now=now, users={1: UserSettings(1, mode)})
    planned = plan_deliveries([Planned(ingested(matcher, seed_article), [hit(1)])], ctx)
    assert [(d.target_kind, d.target_id) for d in planned] == ([(DM, 1)] if wanted else [])


def test_server_lead_time_and_undeliverable_dms(catalogue: Catalogue, matcher: Matcher,
                                                 seed_article: tuple[str, str]) -> None:
    item = ingested(matcher, seed_article)
    ctx = context(catalogue, guilds={10: GuildSettings(10, deadline_lead_hours=120)},
                  users={2: UserSettings(2, DmMode.ALWAYS, dm_undeliverable=True)})
    planned = plan_deliveries([Planned(item, [hit(1), hit(2)])], ctx)
    assert [(d.target_kind, d.target_id) for d in planned] == [(DM, 1)]  # 106 h < 120 h; user 2's DMs are closed


def test_a_dm_counts_for_the_lowest_server_whose_settings_want_it(catalogue: Catalogue, matcher: Matcher,
                                                                 seed_article: tuple[str, str]) -> None:
    """Followed in three servers, 106 h before the close: server 10's 24 h lead says no, 20 and 30 say yes."""
    leads = {10: 24, 20: 120, 30: 120}
    ctx = context(catalogue, guilds={g: GuildSettings(g, deadline_lead_hours=h) for g, h in leads.items()})
    followers = Followers("player:radu-dragusin", None, (30, 10, 20), (1, 1, 1))
    planned = plan_deliveries([Planned(ingested(matcher, seed_article), [followers])], ctx)
    assert [(d.target_kind, d.target_id, d.guild_id) for d in planned] == [(DM, 1, 20)]


def test_a_players_linked_clubs_leagues_count(catalogue: Catalogue, matcher: Matcher,
                                              seed_article: tuple[str, str]) -> None:
    """Aké plays in the Premier League; the seed article links him with AC Milan, so Serie A's deadline counts."""
    item = ingested(matcher, seed_article)
    assert {"Premier League", "Serie A"} <= deadline_leagues("player:nathan-ake", item, catalogue)
    assert deadline_leagues("club:ac-milan", item, catalogue) == {"Serie A"}
    assert "Serie A" in deadline_leagues(None, item, catalogue)  # a term: everything the item mentions
    only_serie_a = context(catalogue, now=CLOSE - timedelta(hours=1), leagues=("Serie A",))
    planned = plan_deliveries([Planned(item, [hit(1, "player:nathan-ake")])], only_serie_a)
    assert [(d.target_kind, d.target_id) for d in planned] == [(DM, 1)]


def test_one_dm_per_user_and_one_post_per_server(catalogue: Catalogue, matcher: Matcher,
                                                 seed_article: tuple[str, str]) -> None:
    item = ingested(matcher, seed_article)
    ctx = context(catalogue, guilds={10: GuildSettings(10, alert_channel_id=1), 20: GuildSettings(20)},
                  users={1: UserSettings(1, DmMode.ALWAYS)})
    hits = [hit(1, guild=20), hit(1, guild=10), hit(1, "club:ac-milan", guild=10)]
    planned = plan_deliveries([Planned(item, hits)], ctx, key=lambda i: AlertKey.parse("story:7:talks"))
    talks = AlertKey.parse("story:7:talks")
    assert planned == [Delivery(talks, CH, 10, 10, 5), Delivery(talks, DM, 1, 10, 5)]


def test_alert_view_of_the_seed_article(catalogue: Catalogue, matcher: Matcher, seed_article: tuple[str, str]) -> None:
    item = ingested(matcher, seed_article).item
    mentioned = ingested(matcher, seed_article).match.entity_ids()
    view = build_alert_view(item, mentioned, catalogue)
    assert view.lines[0].startswith("Radu Drăgușin (Tottenham) → AC Milan")
    assert "Tottenham" not in view.lines[0].split("→")[1]  # his own club is not a destination
    assert (view.follow_entity_id, view.follow_label) == ("player:radu-dragusin", "Radu Drăgușin")
    assert view.outlet == "Calciomercato" and view.link == "https://news.example/seed"
    assert len(view.summary) <= 280 and view.stage is None and view.outlets == ()
    assert safe_link("javascript:alert(1)") is None and safe_link("HTTPS://x.example/a") == "HTTPS://x.example/a"


def test_story_alert_keys_one_alert_per_story() -> None:
    """Reports of a story an alert carries reuse its key; a stage climb or a new story gets a new key."""
    from datetime import UTC, datetime

    from bot.alerts.plan import StoryAlertKeys
    from bot.models import MatchResult, Stage, StoryUpdate

    now = datetime(2026, 1, 29, tzinfo=UTC)
    feed = Feed(1, "https://x", None, None, None, None, 0, None, now, False, True)

    def ingested(item_id: int, *updates: StoryUpdate) -> IngestedItem:
        item = StoredItem(item_id, 1, f"g{item_id}", "t", "", None, now, now, True)
        return IngestedItem(item, MatchResult("t", ()), feed, (), updates)

    talks_a = StoryUpdate(1, "p", "milan", Stage.TALKS, None, True)
    interest_b = StoryUpdate(2, "q", "milan", Stage.INTEREST, None, True)
    k = AlertKey.parse
    keys = StoryAlertKeys({k("story:9:interest"): k("story:7:bid")})
    assert str(keys(ingested(10, talks_a, interest_b))) == "story:1:talks"  # primary: the most advanced
    assert str(keys(ingested(11, StoryUpdate(2, "q", "milan", Stage.INTEREST, Stage.INTEREST, False)))) == "story:1:talks"
    assert str(keys(ingested(12, StoryUpdate(1, "p", "milan", Stage.AGREEMENT, Stage.TALKS, False)))) == "story:1:agreement"
    assert str(keys(ingested(13, StoryUpdate(9, "r", "roma", Stage.INTEREST, None, False)))) == "story:7:bid"  # known
    assert keys(ingested(14)) == AlertKey.for_item(14)  # no rumour: one alert per item
    assert keys.carried[k("story:1:talks")] == [k("story:1:talks"), k("story:2:interest")]


def test_alert_summary_drops_photo_credits(catalogue) -> None:
    """Photo credits are not content: an alert's summary never shows them."""
    from datetime import UTC, datetime


    now = datetime(2026, 1, 29, tzinfo=UTC)
    item = StoredItem(1, 1, "g", "Milan meet Drăgușin", "(Photo by Justin Setterfield/Getty Images) AC Milan met his agents.",
                      None, now, now, True)
    view = build_alert_view(item, ["player:radu-dragusin"], catalogue)
    assert view.summary == "AC Milan met his agents."
