"""Running Mercato for real, end to end against the fake Discord: /healthz and /metrics while the bot runs,
`mercato health`, /help, /privacy, leaving and rejoining a server, and the dev-server sync warning."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from bot.config import Settings
from cogs.client import MercatoBot
from tests.e2e.helpers import OLD_ITEM, SEEDS, START, Mercato, _open, _template, seed_item, start_mercato
from tests.fakediscord import FakeDiscord, run_bot


async def get(m: Mercato, path: str) -> tuple[int, Any]:
    """GET the bot's own HTTP endpoint."""
    assert m.bot.monitoring is not None and m.bot.monitoring.server is not None
    url = f"http://127.0.0.1:{m.bot.monitoring.server.port}{path}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await response.json() if path == "/healthz" else await response.text()
        return response.status, body


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text → {(sample name, sorted labels): value}, parsed by the client library's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_healthz_and_metrics_while_the_bot_runs(fake_discord: FakeDiscord, tmp_path) -> None:
    """/healthz is 200 while connected and polling, 503 when polls stop; /metrics counts what happened."""
    fake = fake_discord
    broken_guild = fake.add_guild("Broken FC", owner_id=fake.owner_id)
    broken_channel = fake.add_channel(broken_guild, "alerts")
    fake.add_member(broken_guild, fake.member_id)
    fake.deny_access(broken_channel)
    async with start_mercato(fake, tmp_path, http_port=0) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.bot.services.set_alert_channel(guild_id=broken_guild, channel_id=broken_channel)
        await m.command("follow", {"name": "dragusin"})
        await m.command("follow", {"name": "dragusin"}, guild=broken_guild)
        await m.publish(OLD_ITEM, seed_item())
        await m.channel_alerts(fake.channel_id)
        await m.until(lambda: _failure_recorded(m, broken_guild))  # the refused channel was tried

        healthy = await get(m, "/healthz")
        _, metrics_text = await get(m, "/metrics")
        m.clock.advance(seconds=16 * 60)  # three poll intervals (5 min each) and more without a tick
        stale = await get(m, "/healthz")
        await m.tick()
        recovered = await get(m, "/healthz")

    assert healthy[0] == 200
    assert healthy[1] == {"status": "healthy", "gateway_connected": True, "last_poll_age_seconds": 0.0,
                          "outbox_pending": 0, "outbox_oldest_due_seconds": 0.0, "problems": []}
    assert stale[0] == 503 and stale[1]["problems"] == ["no poll tick finished for 960 s"]
    assert recovered[0] == 200
    values = samples(metrics_text)
    assert values[("mercato_feed_polls_total", (("outcome", "new"),))] == 2  # the priming poll and the seed article
    assert values[("mercato_items_stored_total", ())] == 2
    assert values[("mercato_items_alertable_total", ())] == 1
    assert values[("mercato_rumours_total", ())] >= 1
    assert values[("mercato_poll_ticks_total", (("result", "ok"),))] == 3  # start-up, priming, publish
    assert values[("mercato_poll_duration_seconds_count", ())] == 3
    assert values[("mercato_alerts_sent_total", (("action", "send"), ("target", "channel")))] == 1
    assert values[("mercato_alerts_failed_total", (("reason", "channel_unavailable"),))] == 1
    assert values[("mercato_delivery_duration_seconds_count", ())] == 2
    assert values[("mercato_outbox_pending", ())] == 0
    assert values[("mercato_gateway_connected", ())] == 1
    assert values[("mercato_last_poll_timestamp_seconds", ())] == START.timestamp() + 300


async def _failure_recorded(m: Mercato, guild_id: int) -> bool:
    return (await m.storage.guilds.get(guild_id)).channel_failure is not None


async def test_mercato_health_asks_the_running_bot(fake_discord: FakeDiscord, tmp_path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`mercato health` (the Docker HEALTHCHECK) prints the status and exits 0, or 1 with the problems."""
    async with start_mercato(fake_discord, tmp_path, http_port=0) as m:
        assert m.bot.monitoring is not None and m.bot.monitoring.server is not None
        monkeypatch.setenv("MERCATO_HTTP_PORT", str(m.bot.monitoring.server.port))
        monkeypatch.chdir(tmp_path)
        healthy = await asyncio.to_thread(main, ["health"])
        m.clock.advance(hours=1)
        unhealthy = await asyncio.to_thread(main, ["health"])
    gone = await asyncio.to_thread(main, ["health"])
    out = capsys.readouterr()
    assert (healthy, unhealthy, gone) == (0, 1, 1)
    assert out.out.splitlines() == ["healthy", "unhealthy: no poll tick finished for 3600 s"]
    assert "unhealthy: nothing answers on http://127.0.0.1:" in out.err


async def test_help_lists_every_command_one_line_each(fake_discord: FakeDiscord, tmp_path) -> None:
    """/help has one line per slash command and subcommand Discord knows, with its description."""
    async with start_mercato(fake_discord, tmp_path) as m:
        record = await m.command("help")
    synced = fake_discord.global_commands
    expected = []
    for command in synced:
        subcommands = [o for o in command.get("options", []) if o["type"] == 1]
        expected += [(f"/{command['name']} {s['name']}", s["description"]) for s in subcommands] or [
            (f"/{command['name']}", command["description"])]
    [embed] = record.message["embeds"]
    lines = embed["description"].splitlines()
    assert record.ephemeral and len(lines) == len(expected) > len(synced)  # groups are listed by subcommand
    for name, description in expected:
        assert sum(line.startswith(f"`{name}` {description}") for line in lines) == 1, name
    assert "`/alerts channel` Post this server's alerts in a channel *(Manage Server)*" in lines
    assert "`/follow` Follow a player or club in this server (or any word, as text)" in lines


async def test_privacy_shows_then_forgets_everything(fake_discord: FakeDiscord, tmp_path) -> None:
    """/privacy lists a user's follows (every server), DM setting and DM history; forget deletes all of it."""
    fake = fake_discord
    other = fake.add_guild("Other FC", owner_id=fake.owner_id)
    fake.add_channel(other, "general")
    fake.add_member(other, fake.member_id)
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.command("follow", {"name": "dragusin"})
        await m.command("follow", {"name": "wonderkid"}, guild=other)
        await m.command("follow", {"name": "club:ac-milan"}, user=fake.admin_id)  # somebody else's
        await m.command("dm", {"mode": "always"})
        await m.publish(OLD_ITEM, seed_item())
        await m.fake.wait_for(lambda: m.fake.dm_messages(fake.member_id))
        shown = await m.command("privacy")
        forgotten = await m.command("privacy", {"action": "forget"})
        after = await m.command("privacy")
        others = await m.storage.follows.of_user(guild_id=fake.guild_id, user_id=fake.admin_id)

    assert shown.ephemeral
    assert "• Follows in Mercato FC: Radu Drăgușin (Tottenham)" in shown.content
    assert "• Follows in Other FC: “wonderkid”" in shown.content
    assert "• Your DM setting: always" in shown.content
    assert "• 1 DM alert(s) sent, from <t:" in shown.content
    assert "AC Milan" not in shown.content  # another user's follow
    assert forgotten.content.startswith("Done. Deleted 2 follow(s), your DM setting (deleted), 1 DM record(s)")
    assert after.content == "Mercato stores nothing about you: no follows, no DM setting, no DM history."
    assert [f.entity_id for f in others] == ["club:ac-milan"]


async def test_leaving_a_server_deletes_its_data_after_the_grace_period(fake_discord: FakeDiscord, tmp_path) -> None:
    """Kicked: the server's settings, feeds and follows stay for the grace period, then go; rejoining cancels."""
    fake = fake_discord
    second = fake.add_guild("Second FC", owner_id=fake.owner_id)
    fake.add_channel(second, "general")
    fake.add_member(second, fake.member_id)
    async with start_mercato(fake, tmp_path, guild_grace_days=7) as m:
        for guild in (fake.guild_id, second):
            await m.bot.services.set_alert_channel(guild_id=guild, channel_id=fake.channel_id)
            await m.command("follow", {"name": "dragusin"}, guild=guild)
        m.feeds.add("/own", "<rss version='2.0'><channel><title>Own</title></channel></rss>")
        await m.storage.feeds.add(m.feeds.url("/own"), now=m.clock(), guild_id=fake.guild_id)
        privacy = m.bot.services.privacy

        await fake.remove_guild(fake.guild_id)
        await fake.remove_guild(second)
        await m.until(lambda: privacy.storage.privacy.departure(second))
        await fake.join_guild(second)  # added back within the week: kept
        await m.until(_cancelled(m, second))
        m.clock.advance(days=6, hours=23)
        early = await privacy.purge_due()
        m.clock.advance(hours=2)
        purged = await privacy.purge_due()
        left = await m.storage.follows.of_user(guild_id=fake.guild_id, user_id=fake.member_id)
        kept = await m.storage.follows.of_user(guild_id=second, user_id=fake.member_id)
        settings = await m.storage.guilds.get(fake.guild_id)
        feeds = await m.storage.feeds.all()

    assert (early, purged) == ([], [fake.guild_id])
    assert left == [] and settings.alert_channel_id is None
    assert [f.entity_id for f in kept] == ["player:radu-dragusin"]
    assert m.feeds.url("/own") not in [f.url for f in feeds]


def _cancelled(m: Mercato, guild_id: int) -> Any:
    async def check() -> bool:
        return await m.storage.privacy.departure(guild_id) is None

    return check


async def test_dev_server_and_global_sync_warn_about_duplicates(fake_discord: FakeDiscord, tmp_path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """--sync with MERCATO_DEV_GUILD: global commands, the dev server's copies removed, and a warning."""
    fake = fake_discord
    fake.guild_commands[fake.guild_id] = [{"id": "1", "name": "follow", "description": "old copy", "type": 1,
                                           "application_id": str(fake.app_id), "guild_id": str(fake.guild_id)}]
    with caplog.at_level(logging.WARNING, logger="cogs.client"):
        async with start_mercato(fake, tmp_path, bot_kwargs={"dev_guild_id": fake.guild_id}):
            pass
    assert {c["name"] for c in fake.global_commands} >= {"follow", "help", "privacy"}
    assert fake.guild_commands[fake.guild_id] == []
    assert f"server {fake.guild_id} would show every command twice" in caplog.text


async def test_dev_server_seeing_global_commands_is_warned(fake_discord: FakeDiscord, tmp_path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """MERCATO_DEV_GUILD without --sync, after an earlier global sync: the duplicates are pointed out."""
    fake = fake_discord
    fake.global_commands = [{"id": "1", "name": "follow", "description": "global", "type": 1,
                             "application_id": str(fake.app_id)}]
    path = tmp_path / "mercato.sqlite3"
    path.write_bytes((await _template()).read_bytes())
    app = await _open(Settings(db_path=path, seeds_dir=SEEDS), START)
    try:
        bot = MercatoBot(app, now=lambda: START, dev_guild_id=fake.guild_id, guild_ready_timeout=0.05)
        with caplog.at_level(logging.WARNING, logger="cogs.client"):
            async with run_bot(bot):
                pass
    finally:
        await app.close()
    assert f"Server {fake.guild_id} (MERCATO_DEV_GUILD) also sees the global commands" in caplog.text
    assert {c["name"] for c in fake.guild_commands[fake.guild_id]} >= {"follow", "help"}

