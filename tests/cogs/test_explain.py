"""Layout of the "Why?" answer and the role-ping replies: feed text shows as typed and pings nobody."""

from __future__ import annotations

from bot.alerts.why import ReportWhy, Why
from bot.models import Evidence, PingRule, TargetKind
from bot.pings import PingLine
from cogs.explain import ping_added, pings_text, why_text
from cogs.render import CONTENT_LIMIT

HOSTILE = "@everyone <@&123> **Sky**"


def test_feed_text_in_the_why_answer_is_escaped() -> None:
    report = ReportWhy(HOSTILE, "@here Romano", 1, True, "here we go", "t",
                       (Evidence("here-we-go-here-we-go", 10, 20, "**HERE WE GO** <@456>"),))
    text = why_text(Why(TargetKind.CHANNEL, alert_channel_id=42, tier_floor=3, followers=2,
                        story="Radu Drăgușin → AC Milan · here we go", reports=(report,), source=HOSTILE, tier=1))

    assert "@everyone" not in text and "<@&123>" not in text and "<@456>" not in text and "@here" not in text
    assert "\\*\\*HERE WE GO\\*\\*" in text and "(`here-we-go-here-we-go`, chars 10–20)" in text
    assert "2 members here follow what it mentions." in text and "**Posted in <#42>**" in text


def test_an_alert_without_a_rumour_says_what_it_mentions_and_a_long_answer_fits() -> None:
    plain = why_text(Why(TargetKind.DM, yours=("AC Milan",), dm_mode="always", mentions=("AC Milan",),
                         source="Calciomercato"))
    many = tuple(ReportWhy(f"Outlet {n}", None, None, False, "talks", "t",
                           tuple(Evidence(f"w-{k}", k, k + 5, "x" * 80) for k in range(10))) for n in range(40))
    long = why_text(Why(TargetKind.CHANNEL, alert_channel_id=1, tier_floor=5, story="s", reports=many))

    assert "**No rumour was read in it;** it mentions AC Milan." in plain
    assert "**Source:** Calciomercato (tier unknown)" in plain
    assert len(long) <= CONTENT_LIMIT and long.endswith("… and more")


def test_ping_replies() -> None:
    line = PingLine(3, 501, PingRule(3, 10, 501), "AC Milan · from here we go, tier ≤ 1")

    assert "<@&501> — AC Milan · from here we go, tier ≤ 1" in pings_text([line])
    assert "not mentionable" in ping_added(line, True, can_ping=False)
    assert "not mentionable" not in ping_added(line, True, can_ping=True)
