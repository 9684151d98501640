"""Every slash command, end to end: the real bot answers interactions sent by the fake Discord."""

from __future__ import annotations

from typing import Any

from bot.models import DmMode
from tests.e2e.helpers import OLD_ITEM, Mercato, seed_item, start_mercato
from tests.fakediscord import FakeDiscord, InteractionRecord
from tests.fakediscord import payloads as p

COMMANDS = {"follow", "unfollow", "following", "dm", "shortlist", "rumours", "latest", "deadline", "alerts", "feeds",
            "status", "privacy", "help", "digest"}
ADMIN = {"alerts", "feeds", "status"}


def text(record: InteractionRecord) -> str:
    """The visible reply: the last followup of a deferred command, else the reply itself."""
    return str(record.followups[-1]["content"]) if record.followups else record.content


async def with_seed_article(m: Mercato) -> None:
    """Poll the seed article from a primed feed (so it is stored as new news)."""
    await m.primed_feed(OLD_ITEM)
    await m.publish(OLD_ITEM, seed_item())


async def complete(m: Mercato, command: str, option: str, current: str, **kwargs: Any) -> list[dict[str, Any]]:
    payload = m.fake.make_autocomplete_interaction(command, {option: current}, focused=option, **kwargs)
    await m.fake.send_interaction(payload)
    return (await m.fake.wait_for_response(payload)).choices


async def test_commands_are_synced_admin_ones_with_manage_server(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path):
        [put] = fake_discord.calls("PUT", "/applications/{application_id}/commands")
    synced = {c["name"]: c for c in put.json}
    assert set(synced) == COMMANDS
    for name in ADMIN:
        assert int(synced[name]["default_member_permissions"]) == p.MANAGE_GUILD
        assert synced[name]["dm_permission"] is False  # guild only
    assert synced["follow"]["default_member_permissions"] is None
    assert {o["name"] for o in synced["alerts"]["options"]} == {"channel", "off", "tier", "leadtime", "ping", "pings",
                                                               "unping", "timezone", "min_stage"}
    assert {o["name"] for o in synced["digest"]["options"]} == {"me", "server"}
    assert synced["digest"]["default_member_permissions"] is None  # /digest me is for everyone; server is checked


async def test_follow_autocomplete_forgives_accents_and_ranks_clubs(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        drag = await complete(m, "follow", "name", "drag")
        milan = await complete(m, "follow", "name", "MILAN")
    assert {"name": "Radu Drăgușin (Tottenham)", "value": "player:radu-dragusin"} in drag
    assert [c["value"] for c in milan[:2]] == ["club:ac-milan", "club:inter"]
    assert len(milan) <= 25


async def test_follow_autocomplete_offers_mens_and_womens_teams_clearly_labelled(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        chelsea = await complete(m, "follow", "name", "chelsea")
        james = await complete(m, "follow", "name", "lauren james")
    assert chelsea[0] == {"name": "Chelsea", "value": "club:chelsea"}
    assert {"name": "Chelsea Women (women's · WSL)", "value": "club:chelsea-women"} in chelsea
    assert {"name": "Lauren James (Chelsea Women)", "value": "player:lauren-james"} in james


async def test_follow_entity_term_and_limit(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path, follow_limit=2) as m:
        await with_seed_article(m)
        entity = await m.command("follow", {"name": "player:radu-dragusin"})
        again = await m.command("follow", {"name": "Dragusin"})
        term = await m.command("follow", {"name": "wonderkid"})
        over = await m.command("follow", {"name": "club:ac-milan"})
        follows = await m.storage.follows.of_user(guild_id=fake_discord.guild_id, user_id=fake_discord.member_id)

    assert entity.ephemeral and entity.content.startswith("Following **Radu Drăgușin (Tottenham)** in this server.")
    assert "Latest: [" in entity.content and "<t:" in entity.content  # the seed article, linked, with its age
    assert again.content.startswith("You already follow **Radu Drăgușin (Tottenham)**")
    assert term.ephemeral and "so I follow it as text" in term.content and "wonderkid" in term.content
    assert over.ephemeral and "You already follow 2 players, clubs and terms in this server" in over.content
    assert [(f.entity_id, f.term) for f in follows] == [("player:radu-dragusin", None), (None, "wonderkid")]


async def test_unfollow_autocompletes_only_own_follows(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        await m.command("follow", {"name": "dragusin"})
        await m.command("follow", {"name": "Tottenham"}, user=fake_discord.admin_id)
        mine = await complete(m, "unfollow", "name", "")
        filtered = await complete(m, "unfollow", "name", "drag")
        listed = await m.command("following")
        gone = await m.command("unfollow", {"name": mine[0]["value"]})
        missing = await m.command("unfollow", {"name": "dragusin"})
        empty = await m.command("following")

    assert mine == [{"name": "Radu Drăgușin (Tottenham)", "value": "player:radu-dragusin"}]
    assert filtered == mine
    assert listed.ephemeral and "**Radu Drăgușin (Tottenham)** — no news yet" in listed.content
    assert gone.content == "You no longer follow **Radu Drăgușin (Tottenham)**."
    assert missing.ephemeral and "You don't follow" in missing.content
    assert empty.content.startswith("You don't follow anything in this server yet.")


async def test_dm_mode(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        before = await m.storage.users.get(fake_discord.member_id)
        reply = await m.command("dm", {"mode": "always"})
        after = await m.storage.users.get(fake_discord.member_id)
    assert before.dm_mode is DmMode.DEADLINE  # the default
    assert after.dm_mode is DmMode.ALWAYS
    assert reply.ephemeral and "all year" in reply.content


async def test_shortlist_rumours_latest_after_the_seed_article(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        await with_seed_article(m)
        clubs = await complete(m, "shortlist", "club", "milan")
        shortlist = await m.command("shortlist", {"club": "milan"})
        rumours = await m.command("rumours", {"player": "dragusin"})
        latest = await m.command("latest")
        about = await m.command("latest", {"about": "club:ac-milan"})
        unknown = await m.command("shortlist", {"club": "Nowhere Rovers"})

    assert [c["value"] for c in clubs[:2]] == ["club:ac-milan", "club:inter"]
    listing = text(shortlist)
    assert shortlist.callback_type == 5 and not shortlist.ephemeral  # deferred, public
    assert listing.startswith("Players linked with **AC Milan**, hottest first:")
    assert "**Radu Drăgușin** (Tottenham) · talks" in listing and "**Nathan Aké** (Manchester City) · interest" in listing
    assert listing.index("Radu Drăgușin") < listing.index("Nathan Aké")  # talks is hotter than interest
    assert "Inter" not in listing
    assert text(rumours).startswith("Rumours about **Radu Drăgușin (Tottenham)**")
    assert "AC Milan" in text(rumours) and "Calciomercato" in text(rumours)
    assert "(<https://news.example/seed>)" in text(latest) and "Weekend fixtures" not in text(latest)
    assert text(about).startswith("Latest about **AC Milan**:")
    assert "I don't know a club called “Nowhere Rovers”" in text(unknown)
    assert unknown.ephemeral  # a mistake is answered to the caller only, not to the channel
    assert all(m["allowed_mentions"] == {"parse": []} for r in (shortlist, rumours, latest) for m in r.followups)


async def test_deadline_countdowns(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        everything = await m.command("deadline")
        serie_a = await m.command("deadline", {"league": "serie a"})
        leagues = await complete(m, "deadline", "league", "LIGUE")
        unknown = await m.command("deadline", {"league": "Eredivisie"})

    assert not everything.ephemeral
    assert "**Premier League** (January 2026): closes <t:1770058800:R>" in everything.content  # 2 Feb 19:00 UTC
    assert "**LaLiga** (January 2026): closes <t:1770073140:R>" in everything.content  # 23:59 CET
    assert serie_a.content.count("closes") == 1 and "<t:1770058800:R>" in serie_a.content  # 20:00 CET
    assert [c["value"] for c in leagues] == ["Ligue 1"]
    assert unknown.ephemeral and "no transfer window for “Eredivisie”" in unknown.content


async def test_admin_commands_refuse_members_without_manage_server(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        refused = [
            await m.fake.invoke("alerts", {"channel": fake_discord.channel_id}, subcommand="channel"),
            await m.fake.invoke("alerts", {"tier": 3}, subcommand="tier"),
            await m.fake.invoke("feeds", {}, subcommand="list"),
            await m.fake.invoke("status"),
        ]
        settings = await m.storage.guilds.get(fake_discord.guild_id)
    for record in refused:
        assert record.ephemeral and record.content == "You need the Manage Server permission to use this command."
    assert settings.alert_channel_id is None and settings.tier_floor == 5


async def test_alerts_settings_and_status(fake_discord: FakeDiscord, tmp_path) -> None:
    admin = fake_discord.admin_id
    async with start_mercato(fake_discord, tmp_path) as m:
        channel = await m.command("alerts", {"channel": fake_discord.second_channel_id}, subcommand="channel",
                                  user=admin)
        tier = await m.command("alerts", {"tier": 3}, subcommand="tier", user=admin)
        status = await m.command("status", user=admin)
        off = await m.command("alerts", {}, subcommand="off", user=admin)
        settings = await m.storage.guilds.get(fake_discord.guild_id)

    assert channel.ephemeral and f"<#{fake_discord.second_channel_id}>" in channel.content
    assert tier.content == "Tier floor set to 3: tiers 4-5 are hidden."
    assert status.ephemeral
    assert f"**Alert channel:** <#{fake_discord.second_channel_id}>" in status.content
    assert "**Tier floor:** 3" in status.content and "**Deadline mode:** off" in status.content
    assert "**Alerts waiting to be posted here:** 0" in status.content
    assert off.content.startswith("Channel alerts are off.")
    assert settings.alert_channel_id is None and settings.tier_floor == 3


async def test_feeds_add_list_remove_go_through_the_url_guard(fake_discord: FakeDiscord, tmp_path) -> None:
    admin = fake_discord.admin_id
    async with start_mercato(fake_discord, tmp_path) as m:
        m.feeds.add("/extra", "<rss version='2.0'><channel><title>Extra</title></channel></rss>")
        url = m.feeds.url("/extra")
        added = await m.command("feeds", {"url": url}, subcommand="add", user=admin)
        listed = await m.command("feeds", {}, subcommand="list", user=admin)
        offered = await complete(m, "feeds", "url", "extra", subcommand="remove", user=admin)
        removed = await m.command("feeds", {"url": url}, subcommand="remove", user=admin)
        refused = await m.command("feeds", {"url": "file:///etc/passwd"}, subcommand="add", user=admin)
        feeds = await m.storage.feeds.all()

    assert added.callback_type == 5 and added.ephemeral and text(added).startswith(f"Added ✅ <{url}>")
    assert f"<{url}>" in listed.content and "not polled yet" in listed.content
    assert offered == [{"name": url, "value": url}]
    assert removed.content == f"Removed {url}."
    assert "http" in text(refused) and "Added" not in text(refused)
    assert feeds == []


async def test_private_feed_urls_are_refused_by_default(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path, allow_private_feeds=False) as m:
        record = await m.command("feeds", {"url": "http://127.0.0.1:9/rss"}, subcommand="add",
                                 user=fake_discord.admin_id)
        assert await m.storage.feeds.all() == []
    assert record.ephemeral and "127.0.0.1" in text(record)


async def test_one_server_never_sees_another_servers_data(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    other = fake.add_guild("Rivals", owner_id=fake.admin_id)
    fake.add_channel(other, "general")
    fake.add_member(other, fake.member_id)
    async with start_mercato(fake, tmp_path) as m:
        # Server A: a private feed carrying the seed article, a follow, a tier setting.
        await m.primed_feed(OLD_ITEM, path="/a", guild_id=fake.guild_id)
        await m.publish(OLD_ITEM, seed_item(), path="/a")
        await m.command("follow", {"name": "dragusin"})
        await m.command("alerts", {"tier": 2}, subcommand="tier", user=fake.admin_id)

        following = await m.command("following", guild=other)
        latest = await m.command("latest", guild=other)
        shortlist = await m.command("shortlist", {"club": "milan"}, guild=other)
        feeds = await m.command("feeds", {}, subcommand="list", guild=other, user=fake.admin_id)
        removal = await m.command("feeds", {"url": m.feeds.url("/a")}, subcommand="remove", guild=other,
                                  user=fake.admin_id)
        unfollow = await m.command("unfollow", {"name": "dragusin"}, guild=other)
        mine = await m.command("latest")
        settings = await m.storage.guilds.get(other)
        still = await m.storage.follows.of_user(guild_id=fake.guild_id, user_id=fake.member_id)

    assert following.content.startswith("You don't follow anything in this server yet.")
    assert text(latest) == "Nothing yet."
    assert "No players linked with **AC Milan**" in text(shortlist)
    assert feeds.content.startswith("This server has no extra feeds.")
    assert "is not one of this server's feeds" in removal.content
    assert "You don't follow" in unfollow.content and len(still) == 1
    assert settings.tier_floor == 5
    assert "news.example/seed" in text(mine)  # server A does see its own feed


async def test_follow_button_follows_for_whoever_presses_it(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake_discord.guild_id, channel_id=fake_discord.channel_id)
        await m.command("follow", {"name": "dragusin"})
        await m.publish(OLD_ITEM, seed_item())
        [alert] = await m.channel_alerts(fake_discord.channel_id)
        custom_id = alert["components"][0]["components"][0]["custom_id"]
        click = fake_discord.make_component_interaction(custom_id, alert["id"], user=fake_discord.admin_id)
        record = await fake_discord.send_interaction(click)
        await fake_discord.wait_for_response(record)
        again = fake_discord.make_component_interaction(custom_id, alert["id"], user=fake_discord.admin_id)
        second = await fake_discord.wait_for_response(await fake_discord.send_interaction(again))
        follows = await m.storage.follows.of_user(guild_id=fake_discord.guild_id, user_id=fake_discord.admin_id)

    assert record.ephemeral and record.content.startswith("Following **Radu Drăgușin (Tottenham)** in this server.")
    assert second.content.startswith("You already follow")
    assert [f.entity_id for f in follows] == ["player:radu-dragusin"]


async def test_follow_button_in_a_dm_follows_in_the_alerts_server(fake_discord: FakeDiscord, tmp_path) -> None:
    fan = fake_discord.member_id
    async with start_mercato(fake_discord, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.command("follow", {"name": "club:ac-milan"})
        await m.command("dm", {"mode": "always"})
        await m.publish(OLD_ITEM, seed_item())
        [dm] = await fake_discord.wait_for(lambda: fake_discord.dm_messages(fan))
        [button, _why] = dm["components"][0]["components"]
        click = fake_discord.make_component_interaction(button["custom_id"], dm["id"], guild=None, user=fan)
        record = await fake_discord.wait_for_response(await fake_discord.send_interaction(click))
        follows = await m.storage.follows.of_user(guild_id=fake_discord.guild_id, user_id=fan)

    assert button["label"] == "Follow Radu Drăgușin"
    assert record.ephemeral and record.content.startswith("Following **Radu Drăgușin (Tottenham)**")
    assert [f.entity_id for f in follows] == ["club:ac-milan", "player:radu-dragusin"]


async def test_a_broken_extension_is_logged_and_the_rest_still_load(
    fake_discord: FakeDiscord, tmp_path, monkeypatch, caplog
) -> None:
    monkeypatch.setattr("cogs.client.EXTENSIONS", ("cogs.no_such_cog", "cogs.follow"))
    async with start_mercato(fake_discord, tmp_path) as m:
        record = await m.command("following")
    [put] = fake_discord.calls("PUT", "/applications/{application_id}/commands")
    assert {c["name"] for c in put.json} == {"follow", "unfollow", "following", "dm"}
    assert record.content.startswith("You don't follow anything")
    assert "Failed to load extension cogs.no_such_cog" in caplog.text
