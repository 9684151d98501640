"""What a fan sees in each alert: the article that triggered it, the newest report on an edit, honest sources."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from tests.e2e.helpers import OLD_ITEM, START, rss, seed_item, start_mercato
from tests.fakediscord import FakeDiscord

ROMA = ("roma-1", "Roma open talks with Tottenham for Drăgușin",
        "AS Roma have opened talks with Tottenham over Radu Drăgușin, according to Sky Sport Italia.",
        START + timedelta(hours=1))
TERMS = ("terms-1", "Drăgușin agrees personal terms with AC Milan",
         "Radu Drăgușin has agreed personal terms with AC Milan ahead of his move from Tottenham.",
         START + timedelta(hours=2))
MEDICAL = ("medical-1", "Drăgușin to undergo AC Milan medical",
           "Radu Drăgușin will undergo his AC Milan medical on Monday after the clubs agreed a loan with Tottenham.",
           START + timedelta(hours=3))
INSIDER = ("insider-1", "Milan in talks with Tottenham over Radu Drăgușin",
           "AC Milan are in talks with Tottenham over a loan for defender Radu Drăgușin.",
           START + timedelta(hours=1))


def fields(message: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


async def test_each_new_alert_shows_the_article_that_triggered_it(fake_discord: FakeDiscord, tmp_path) -> None:
    """A new club, then two stage climbs: each new message has its own article's title, link and summary."""
    fake = fake_discord
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "dragusin"})
        await m.publish(OLD_ITEM, seed_item())
        await m.channel_alerts(fake.channel_id, count=1)
        climbs = (ROMA, TERMS, MEDICAL)
        for published in range(1, len(climbs) + 1):  # one more article per poll, as a feed grows
            await m.publish(OLD_ITEM, seed_item(), *climbs[:published])
            await m.channel_alerts(fake.channel_id, count=1 + published)
        messages = fake.channel_messages(fake.channel_id)

    seed_title = seed_item()[1]
    embeds = [message["embeds"][0] for message in messages]
    assert embeds[0]["title"] == seed_title
    for embed, (guid, title, summary, _) in zip(embeds[1:], (ROMA, TERMS, MEDICAL), strict=True):
        assert embed["title"] == title  # not the story's first article
        assert embed["url"] == f"https://news.example/{guid}"
        assert summary.split(",")[0] in embed["description"]
    assert [fields(message)["Stage"] for message in messages[1:]] == ["talks", "personal terms", "medical"]
    assert len({embed["url"] for embed in embeds}) == 4  # four different links, none repeated


async def test_an_edit_shows_the_newest_report_and_a_fan_feed_is_not_the_club(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """A fan feed titled "Milan Insider" edits the alert as an unknown tier-3 outlet, shown as the latest report."""
    fake = fake_discord
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        m.feeds.add("/insider", rss(OLD_ITEM, title="Milan Insider"))
        await m.storage.feeds.add(m.feeds.url("/insider"), now=m.clock())
        await m.tick()  # the new feed's first poll: stored, not alerted
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "dragusin"})
        await m.publish(OLD_ITEM, seed_item())
        first = copy.deepcopy((await m.channel_alerts(fake.channel_id))[0])
        m.feeds.add("/insider", rss(OLD_ITEM, INSIDER, title="Milan Insider"))
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: fake.channel_messages(fake.channel_id)[0]["edited_timestamp"])
        edited = fake.channel_messages(fake.channel_id)[0]

    assert edited["id"] == first["id"] and edited["embeds"][0]["title"] == first["embeds"][0]["title"]
    shown = fields(edited)
    assert shown["Also reported by"] == "Milan Insider"
    assert "AC Milan" not in shown["Source"] and shown["Tier"] != "0"
    assert shown["Latest report"].startswith("[Milan Insider: Milan in talks with Tottenham over Radu Drăgușin]")
    assert "https://news.example/insider-1" in shown["Latest report"]
    assert "Latest report" not in fields(first)  # the first post is its own newest report
