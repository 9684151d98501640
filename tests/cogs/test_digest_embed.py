"""The digest embed: a busy day fits one embed; feed text is shown as typed and pings nobody."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bench.digest import busy_day, size
from bot.digests.compose import compose
from bot.models import DigestEntry, DigestView
from cogs.embeds import digest_embed
from cogs.render import ZWSP

UNTIL = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_a_busy_day_fits_one_embed_within_discords_limits() -> None:
    description, whole = size(40)
    assert description <= 4096 and whole <= 6000
    view = compose(busy_day(40), day=date(2026, 1, 29), zone="UTC", until=UNTIL, server=True, name=str)
    embed = digest_embed(view)
    assert len(view.entries) == 10 and view.more == 30
    assert embed.description is not None and embed.description.endswith("… and 30 more stories today.")


def test_hostile_feed_text_is_escaped_and_the_day_is_local() -> None:
    entry = DigestEntry("@everyone", None, "**Milan**", "here we go", 3.25, 1, "Click [here](http://evil) <@&1>",
                        "https://x.example/a b)", "Gossip")
    embed = digest_embed(DigestView(date(2026, 3, 29), "Europe/London", UNTIL, False, (entry,)), "Mercato FC")
    assert embed.description is not None
    assert embed.description.startswith(f"**1. @{ZWSP}everyone** → **\\*\\*Milan\\*\\*** · here we go · 1 outlet · heat 3.2")
    assert "(<https://x.example/a%20b%29>)" in embed.description and "<@&1>" not in embed.description
    assert embed.title == "Transfer digest · Sunday 29 March"  # 07:00 UTC is 08:00 BST on the 29th
    assert embed.footer.text == "Top stories by heat over the 24 h to 08:00 (Europe/London) · what you follow in Mercato FC"
