"""Channel alerts and DMs after a poll, end to end: real feed over HTTP, real bot, fake Discord."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.helpers import IN_DEADLINE, OLD_ITEM, START, Clock, seed_item, start_mercato
from tests.fakediscord import FakeDiscord


async def test_seed_article_alerts_the_server_that_follows_dragusin_only(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    quiet_guild = fake.add_guild("Quiet FC", owner_id=fake.owner_id)
    quiet_channel = fake.add_channel(quiet_guild, "alerts")
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.second_channel_id)
        await m.bot.services.set_alert_channel(guild_id=quiet_guild, channel_id=quiet_channel)
        await m.command("follow", {"name": "player:radu-dragusin"})

        report = await m.publish(OLD_ITEM, seed_item())
        [alert] = await m.channel_alerts(fake.second_channel_id)
        stories = {(s.player_id, s.to_club_id): s for s in await m.storage.stories.of_item(2)}
        # One alert per story: keyed by the item's most advanced story (Drăgușin → Milan, talks).
        milan = stories[("player:radu-dragusin", "club:ac-milan")]
        row = await m.row(f"story:{milan.id}:talks", "channel", fake.guild_id)

    assert report.alerts == 1
    embed = alert["embeds"][0]
    assert embed["url"] == "https://news.example/seed"
    assert "Radu Drăgușin (Tottenham) → AC Milan" in embed["description"]
    assert "Calciomercato" in str(embed["fields"])
    published = int(START.timestamp())
    assert {"name": "Published", "value": f"<t:{published}:R>", "inline": True} in embed["fields"]
    assert alert["allowed_mentions"] == {"parse": []}
    [button, why] = alert["components"][0]["components"]
    assert button["label"] == "Follow Radu Drăgușin"
    assert button["custom_id"] == f"mercato:follow:{fake.guild_id}:player:radu-dragusin"
    assert why["label"] == "Why?" and why["custom_id"] == f"mercato:why:{row.id}"
    assert fake.channel_messages(quiet_channel) == []  # nobody there follows anything it mentions
    assert row.message_id == int(alert["id"]) and row.channel_id == fake.second_channel_id


async def test_hostile_headline_pings_nobody_and_shows_as_text(fake_discord: FakeDiscord, tmp_path) -> None:
    evil = "@everyone <@&123> **HERE WE GO** [click](http://evil) Drăgușin to Milan"
    async with start_mercato(fake_discord, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake_discord.guild_id, channel_id=fake_discord.channel_id)
        await m.command("follow", {"name": "dragusin"})
        await m.publish(OLD_ITEM, ("evil", evil, "<@456> @here **bold** summary", START))
        [alert] = await m.channel_alerts(fake_discord.channel_id)
        [call] = fake_discord.calls("POST", "/channels/{channel_id}/messages")

    assert call.json["allowed_mentions"] == {"parse": []}
    assert call.json["embeds"] == alert["embeds"]  # what was asserted below is what was sent
    title = call.json["embeds"][0]["title"]
    assert title.startswith("@\u200beveryone <\u200b@&123> \\*\\*HERE WE GO\\*\\* \\[click\\](http://evil)")
    description = alert["embeds"][0]["description"]
    assert "<@456>" not in description and "@here" not in description and "\\*\\*bold\\*\\*" in description
    assert alert.get("content", "") == ""


async def test_dm_modes_inside_and_outside_the_deadline_lead_time(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    always = int(fake.add_user("always-fan")["id"])
    deadline = int(fake.add_user("deadline-fan")["id"])
    off = int(fake.add_user("off-fan")["id"])
    for user in (always, deadline, off):
        fake.add_member(fake.guild_id, user)
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        for user, mode in ((always, "always"), (deadline, "deadline"), (off, "off")):
            await m.command("follow", {"name": "dragusin"}, user=user)
            if mode != "deadline":  # deadline is the default: never set explicitly here
                await m.command("dm", {"mode": mode}, user=user)

        # 29 January: the windows close on 2 February, more than 72 h away.
        await m.publish(OLD_ITEM, seed_item("outside"))
        await fake.wait_for(lambda: fake.dm_messages(always))
        # Inside the lead time: deadline-mode followers get DMs too.
        m.clock.at = IN_DEADLINE - timedelta(seconds=m.settings.poll_interval)
        await m.publish(OLD_ITEM, seed_item("inside", published=IN_DEADLINE - timedelta(hours=1)))
        await fake.wait_for(lambda: fake.dm_messages(deadline))
        # The second report is the same story: the always-fan's DM is edited, not sent again.
        await fake.wait_for(lambda: fake.dm_messages(always)[0]["edited_timestamp"])

    assert len(fake.dm_messages(always)) == 1
    assert len(fake.dm_messages(deadline)) == 1
    # A new alert shows the article that triggered it; an edit keeps its article and shows the newest report.
    assert fake.dm_messages(deadline)[0]["embeds"][0]["url"] == "https://news.example/inside"
    edited = fake.dm_messages(always)[0]["embeds"][0]
    assert edited["url"] == "https://news.example/outside"
    assert any("news.example/inside" in f["value"] for f in edited["fields"] if f["name"] == "Latest report")
    assert fake.dm_messages(off) == []
    assert all(msg["allowed_mentions"] == {"parse": []} for msg in fake.dm_messages(always))


async def test_deadline_lead_time_is_per_server(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path, clock=Clock(START)) as m:
        await m.primed_feed(OLD_ITEM)
        await m.command("follow", {"name": "dragusin"})
        await m.command("alerts", {"hours": 120}, subcommand="leadtime", user=fake_discord.admin_id)
        await m.publish(OLD_ITEM, seed_item())  # 4 days 10 h before the close: inside 120 h
        await fake_discord.wait_for(lambda: fake_discord.dm_messages(fake_discord.member_id))


async def test_one_alert_per_story_edited_by_further_reports_and_reposted_on_a_stage_climb(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """Another outlet's report of the same rumour edits the alert (outlets, heat); "agreement" posts a new one."""
    import copy

    from tests.e2e.helpers import rss

    fake = fake_discord
    sky = ("sky-1", "Milan in talks with Tottenham over Radu Drăgușin",
           "AC Milan are in talks with Tottenham over a loan for defender Radu Drăgușin, Sky Sports understands.",
           START + timedelta(hours=1))
    agreed = ("cm-2", "AC Milan agree deal with Tottenham for Drăgușin",
              "AC Milan have reached an agreement with Tottenham for Radu Drăgușin, according to Calciomercato.",
              START + timedelta(hours=2))
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        m.feeds.add("/sky", rss(OLD_ITEM, title="Sky Sports"))
        await m.storage.feeds.add(m.feeds.url("/sky"), now=m.clock())
        await m.tick()  # the new feed's first poll: stored, not alerted
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "dragusin"})

        await m.publish(OLD_ITEM, seed_item())
        first = copy.deepcopy((await m.channel_alerts(fake.channel_id))[0])  # the fake edits messages in place
        m.feeds.add("/sky", rss(OLD_ITEM, sky, title="Sky Sports"))
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: fake.channel_messages(fake.channel_id)[0]["edited_timestamp"])
        edited = fake.channel_messages(fake.channel_id)[0]
        await m.publish(OLD_ITEM, seed_item(), agreed)
        _, climbed = await m.channel_alerts(fake.channel_id, count=2)

    def fields(message: dict) -> dict[str, str]:
        return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}

    assert fields(first)["Stage"] == "talks" and fields(first)["Outlets"] == "1"
    assert fields(first)["Source"].startswith("Calciomercato") and fields(first)["Tier"] == "3"
    assert edited["id"] == first["id"]  # edited in place, not posted again
    assert fields(edited)["Outlets"] == "2" and "Sky Sports" in fields(edited)["Also reported by"]
    assert float(fields(edited)["Heat"]) > float(fields(first)["Heat"])
    assert fields(climbed)["Stage"].startswith("agreement")
    assert len(fake.calls("POST", "/channels/{channel_id}/messages")) == 2
