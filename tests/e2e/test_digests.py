"""Digests end to end, with a frozen clock: the real bot posts a server's digest in its channel and DMs a member's,
at the local time in the server's time zone, once a day; /alerts min_stage keeps early stages for the digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.digests import DIGEST_JOB
from tests.e2e.helpers import OLD_ITEM, START, Clock, Mercato, seed_item, start_mercato
from tests.fakediscord import FakeDiscord

HERE_WE_GO = ("hwg", "Here we go: Radu Dragusin to AC Milan, agreement reached with Tottenham",
              "Fabrizio Romano reports AC Milan and Tottenham have an agreement in place for Radu Dragusin. Here we go.")


async def digest_job(m: Mercato, at: datetime) -> None:
    """Run the scheduled digest job (as APScheduler would, every minute) with the clock at ``at``; let delivery drain."""
    m.clock.at = at
    job = m.bot.pipeline.poller.scheduler.get_job(DIGEST_JOB)
    assert job is not None and job.trigger.interval == timedelta(minutes=1)
    await job.func()
    await m.until(lambda: _drained(m))


async def _drained(m: Mercato) -> bool:
    return await m.storage.outbox.pending_count() == 0


async def admin(m: Mercato, command: str, options: dict[str, Any], subcommand: str) -> Any:
    return await m.command(command, options, subcommand=subcommand, user=m.fake.admin_id)


async def test_a_server_digest_comes_at_local_time_once_a_day_across_the_clock_change(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """08:00 in London: 08:00 UTC on Saturday 28 March 2026, 07:00 UTC on Sunday 29 March (British Summer Time)."""
    channel = fake_discord.second_channel_id
    async with start_mercato(fake_discord, tmp_path, clock=Clock(datetime(2026, 3, 28, 6, 0, tzinfo=UTC))) as m:
        zone = await admin(m, "alerts", {"zone": "europe/london"}, "timezone")
        on = await admin(m, "digest", {"mode": "daily", "time": "08:00", "channel": channel}, "server")
        await m.command("follow", {"name": "milan"})
        await m.primed_feed(OLD_ITEM)
        await m.publish(OLD_ITEM, seed_item(published=datetime(2026, 3, 28, 5, 30, tzinfo=UTC)))
        await digest_job(m, datetime(2026, 3, 28, 7, 59, tzinfo=UTC))
        early = len(fake_discord.channel_messages(channel))
        await digest_job(m, datetime(2026, 3, 28, 8, 0, tzinfo=UTC))
        await digest_job(m, datetime(2026, 3, 28, 8, 1, tzinfo=UTC))
        saturday = fake_discord.channel_messages(channel)
        m.clock.at = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
        await m.publish(OLD_ITEM, seed_item(), seed_item("seed-sunday", datetime(2026, 3, 29, 5, 0, tzinfo=UTC)))
        await digest_job(m, datetime(2026, 3, 29, 6, 59, tzinfo=UTC))
        before_sunday = len(fake_discord.channel_messages(channel))
        await digest_job(m, datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
        sunday = fake_discord.channel_messages(channel)

    assert zone.ephemeral and zone.content.startswith("Time zone set to **Europe/London**")
    assert on.ephemeral and on.content.startswith(f"This server's daily digest goes to <#{channel}> every day at "
                                                  "**08:00** (Europe/London)")
    assert early == 0 and len(saturday) == 1 and before_sunday == 1 and len(sunday) == 2
    [embed] = saturday[0]["embeds"]
    assert embed["title"] == "Transfer digest · Saturday 28 March"
    assert embed["description"].startswith("**1. Radu Drăgușin** (Tottenham) → **AC Milan** · talks")
    assert embed["footer"]["text"] == ("Top stories by heat over the 24 h to 08:00 (Europe/London) · what this server "
                                       "follows")
    assert saturday[0]["allowed_mentions"] == {"parse": []}
    assert sunday[1]["embeds"][0]["title"] == "Transfer digest · Sunday 29 March"


async def test_a_member_digest_by_dm_and_min_stage_keeps_early_stages_for_digests(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    general = fake_discord.channel_id
    async with start_mercato(fake_discord, tmp_path) as m:
        await admin(m, "alerts", {"channel": general}, "channel")
        stage = await admin(m, "alerts", {"stage": "agreement"}, "min_stage")
        await m.command("follow", {"name": "milan"})
        mine = await m.command("digest", {"mode": "daily", "time": "10:00"}, subcommand="me")
        await m.primed_feed(OLD_ITEM)
        await m.publish(OLD_ITEM, seed_item())  # talks: below the server's minimum stage
        channel_rows = await m.storage.db.fetchall("SELECT * FROM outbox WHERE target_kind = 'channel'")
        await digest_job(m, START.replace(hour=10))
        [dm] = await m.fake.wait_for(lambda: m.fake.dm_messages(fake_discord.member_id))
        await m.publish(OLD_ITEM, seed_item(), (*HERE_WE_GO, START + timedelta(hours=1, minutes=10)))
        [live] = await m.channel_alerts(general)

    assert stage.content.startswith("Live alerts start at **agreement**")
    assert mine.ephemeral and mine.content.startswith("Your daily digest comes by DM every day at **10:00** (UTC)")
    assert channel_rows == []  # the talks story was not posted live...
    [embed] = dm["embeds"]  # ...but it is in the digest
    assert embed["title"] == "Transfer digest · Thursday 29 January"
    assert "**1. Radu Drăgușin** (Tottenham) → **AC Milan** · talks" in embed["description"]
    assert embed["footer"]["text"].endswith("· what you follow in Mercato FC")
    assert "Here we go" in live["embeds"][0]["title"]  # here we go reaches the minimum stage: posted live


async def test_digest_and_settings_errors_are_one_private_line(fake_discord: FakeDiscord, tmp_path) -> None:
    async with start_mercato(fake_discord, tmp_path) as m:
        refused = await m.fake.invoke("digest", {"mode": "daily"}, subcommand="server")
        bad_time = await m.command("digest", {"mode": "daily", "time": "25:00"}, subcommand="me")
        bad_zone = await admin(m, "alerts", {"zone": "Mars/Olympus"}, "timezone")
        off = await m.command("digest", {"mode": "off"}, subcommand="me")
        zones = await m.fake.wait_for_response(await _complete(m, "london"))
        stored = await m.storage.digests.of_guild(fake_discord.guild_id)

    assert refused.ephemeral and refused.content == "You need the Manage Server permission to use this command."
    assert bad_time.ephemeral and bad_time.content == ("“25:00” is not a time of day: write it like 08:00, 18:30 or "
                                                       "8pm.")
    assert bad_zone.ephemeral and bad_zone.content.startswith("“Mars/Olympus” is not a time zone I know")
    assert off.content == "Your daily digest was not on."
    assert zones.choices == [{"name": "Europe/London", "value": "Europe/London"}]
    assert stored == []


async def _complete(m: Mercato, current: str) -> dict[str, Any]:
    payload = m.fake.make_autocomplete_interaction("alerts", {"zone": current}, focused="zone", subcommand="timezone",
                                                   user=m.fake.admin_id)
    await m.fake.send_interaction(payload)
    return payload
