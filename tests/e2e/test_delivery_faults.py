"""What Discord's refusals do to deliveries: 403/404 channels, closed DMs, 429, 5xx, and a restart."""

from __future__ import annotations

from datetime import timedelta

from bot.models import AlertKey, OutboxRow, TargetKind
from tests.e2e.helpers import OLD_ITEM, START, Mercato, rss, start_mercato
from tests.fakediscord import FakeDiscord
from tests.fakediscord import payloads as p

MESSAGES = "/channels/{channel_id}/messages"


def item(n: int) -> tuple[str, str, str, object]:
    return f"n{n}", f"Drăgușin update {n}", "AC Milan keep pushing for the Tottenham defender.", START + timedelta(
        minutes=n)


async def following_with_channel(m: Mercato, channel_id: int) -> None:
    await m.primed_feed(OLD_ITEM)
    await m.bot.services.set_alert_channel(guild_id=m.fake.guild_id, channel_id=channel_id)
    await m.command("follow", {"name": "dragusin"})


async def test_deleted_channel_stops_alerts_records_why_and_tells_the_server_once(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    async with start_mercato(fake, tmp_path) as m:
        await following_with_channel(m, fake.second_channel_id)
        fake.delete_channel(fake.second_channel_id)
        await m.publish(OLD_ITEM, item(1), item(2))
        [notice] = await m.channel_alerts(fake.channel_id)  # the system channel
        first = await m.row("item:2", "channel", fake.guild_id, status="dropped")
        second = await m.row("item:3", "channel", fake.guild_id, status="dropped")
        later = await m.publish(OLD_ITEM, item(1), item(2), item(3))
        status = await m.command("status", user=fake.admin_id)
        fixed = await m.command("alerts", {"channel": fake.channel_id}, subcommand="channel", user=fake.admin_id)
        settings = await m.storage.guilds.get(fake.guild_id)

    assert [c.status for c in fake.calls("POST", MESSAGES)] == [404, 200]  # one try, then the notice
    assert f"can no longer post transfer alerts in <#{fake.second_channel_id}>" in notice["content"]
    assert notice["allowed_mentions"] == {"parse": []}
    assert "the channel was deleted" in (first.last_error or "") and "10003" in (second.last_error or "")
    assert later.enqueued == 0  # nothing more is queued for a stopped channel
    assert "**stopped**: the channel was deleted" in status.content
    assert fixed.ephemeral and settings.channel_failure is None and settings.alert_channel_id == fake.channel_id


async def test_forbidden_channel_tells_the_owner_by_dm_when_the_system_channel_fails(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    async with start_mercato(fake, tmp_path) as m:
        await following_with_channel(m, fake.channel_id)  # the alert channel is the system channel
        fake.deny_access(fake.channel_id)
        await m.publish(OLD_ITEM, item(1))
        await fake.wait_for(lambda: fake.dm_messages(fake.owner_id))
        row = await m.row("item:2", "channel", fake.guild_id, status="dropped")
        await m.publish(OLD_ITEM, item(1), item(2))
        settings = await m.storage.guilds.get(fake.guild_id)

    [notice] = fake.dm_messages(fake.owner_id)
    assert "Missing Access" in notice["content"] and "/alerts channel" in notice["content"]
    assert "I can no longer see the channel" in (row.last_error or "")
    assert settings.failure_notified and "50001" in (settings.channel_failure or "")


async def test_closed_dms_stop_until_the_user_runs_a_command(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    fan = fake.member_id
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.command("follow", {"name": "dragusin"})
        await m.command("dm", {"mode": "always"})
        fake.close_dms(fan)
        await m.publish(OLD_ITEM, item(1))
        row = await m.row("item:2", "dm", fan, status="dropped")
        stopped = await m.storage.users.get(fan)
        skipped = await m.publish(OLD_ITEM, item(1), item(2))  # no DM is even queued now

        fake.closed_dms.clear()  # the fan opens their DMs, then uses any command
        await m.command("following")
        reopened = await m.storage.users.get(fan)
        await m.publish(OLD_ITEM, item(1), item(2), item(3))
        await fake.wait_for(lambda: fake.dm_messages(fan))

    assert "does not accept DMs" in (row.last_error or "") and "50007" in (row.last_error or "")
    assert stopped.dm_undeliverable and skipped.enqueued == 0
    assert not reopened.dm_undeliverable
    [dm] = fake.dm_messages(fan)
    assert dm["embeds"][0]["title"] == "Drăgușin update 3"


async def test_rate_limits_slow_delivery_down_and_lose_nothing(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    async with start_mercato(fake, tmp_path, bot_kwargs={"max_ratelimit_timeout": 30}) as m:
        await following_with_channel(m, fake.channel_id)
        # A short 429: discord.py waits and retries by itself.
        fake.inject_fault("POST", MESSAGES, 429, body=p.rate_limit_body(0.02))
        await m.publish(OLD_ITEM, item(1))
        await m.channel_alerts(fake.channel_id, 1)
        # A long one: discord.py gives up at once (max_ratelimit_timeout); the row waits in the outbox.
        fake.inject_fault("POST", MESSAGES, 429, body=p.rate_limit_body(90.0))
        await m.publish(OLD_ITEM, item(1), item(2))
        waiting = await m.until(lambda: _retried(m, "item:3"))
        m.clock.advance(seconds=91)
        m.wake_delivery()
        messages = await m.channel_alerts(fake.channel_id, 2)

    assert waiting.attempts == 0  # a rate limit never counts towards giving up
    assert waiting.next_attempt_at == START + timedelta(seconds=2 * m.settings.poll_interval + 90)
    assert [c.status for c in fake.calls("POST", MESSAGES)] == [429, 200, 429, 200]
    assert [msg["embeds"][0]["title"] for msg in messages] == ["Drăgușin update 1", "Drăgușin update 2"]


async def _retried(m: Mercato, key: str) -> OutboxRow | None:
    """The channel row of ``key`` once a failed attempt was recorded on it."""
    row = await m.storage.outbox.find(AlertKey.parse(key), TargetKind.CHANNEL, m.fake.guild_id)
    return row if row is not None and row.last_error else None


async def test_server_errors_are_retried_later_from_the_outbox(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    async with start_mercato(fake, tmp_path) as m:
        await following_with_channel(m, fake.channel_id)
        fake.inject_fault("POST", MESSAGES, 503)  # discord.py does not retry a 503 itself
        await m.publish(OLD_ITEM, item(1))
        failed = await m.until(lambda: _retried(m, "item:2"))
        m.clock.advance(seconds=31)
        m.wake_delivery()
        [message] = await m.channel_alerts(fake.channel_id)
        sent = await m.row("item:2", "channel", fake.guild_id)

    assert failed.attempts == 1 and "503" in (failed.last_error or "")
    assert [c.status for c in fake.calls("POST", MESSAGES)] == [503, 200]
    assert sent.message_id == int(message["id"])


async def test_restart_mid_delivery_loses_nothing_and_sends_nothing_twice(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    db = tmp_path / "mercato.sqlite3"
    async with start_mercato(fake, tmp_path, db=db) as m:
        clock = m.clock
        await following_with_channel(m, fake.channel_id)
        await m.publish(OLD_ITEM, item(1))
        await m.row("item:2", "channel", fake.guild_id)
        # The next send is held in a 2 s rate-limit wait inside discord.py when the bot stops.
        fake.inject_fault("POST", MESSAGES, 429, body=p.rate_limit_body(2.0))
        await m.publish(OLD_ITEM, item(1), item(2), item(3))
        await fake.wait_for(lambda: fake.calls("POST", MESSAGES)[-1].status == 429)
    assert len(fake.channel_messages(fake.channel_id)) == 1

    async with start_mercato(fake, tmp_path, db=db, clock=clock) as m:
        messages = await m.channel_alerts(fake.channel_id, 3)
        rows = [await m.row(f"item:{n}", "channel", fake.guild_id) for n in (2, 3, 4)]

    titles = [msg["embeds"][0]["title"] for msg in fake.channel_messages(fake.channel_id)]
    assert titles == ["Drăgușin update 1", "Drăgușin update 2", "Drăgușin update 3"]
    assert len(messages) == 3
    assert [r.message_id for r in rows] == [int(msg["id"]) for msg in messages]


async def test_items_stored_by_an_interrupted_poll_are_still_alerted(fake_discord: FakeDiscord, tmp_path) -> None:
    """A kill after ingest stored new items but before their alerts reached the outbox loses nothing."""
    fake = fake_discord
    db = tmp_path / "mercato.sqlite3"
    async with start_mercato(fake, tmp_path, db=db) as m:
        clock = m.clock
        await following_with_channel(m, fake.channel_id)
        m.feeds.add("/rss", rss(OLD_ITEM, item(1)))
        clock.advance(seconds=m.settings.poll_interval)
        # What the tick does first, alone: the items are stored, the process "dies" before planning.
        result = await m.bot.app.ingestor.poll_due(clock())
        assert [a.item.title for a in result.alerts] == ["Drăgușin update 1"]
    assert fake.channel_messages(fake.channel_id) == []

    async with start_mercato(fake, tmp_path, db=db, clock=clock) as m:
        [message] = await m.channel_alerts(fake.channel_id)
        await m.row("item:2", "channel", fake.guild_id)
        again = await m.tick()  # the next tick does not plan it a second time

    assert message["embeds"][0]["title"] == "Drăgușin update 1"
    assert again.alerts == 0 and len(fake.channel_messages(fake.channel_id)) == 1


async def test_the_server_that_added_a_feed_is_told_when_it_gets_paused(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    async with start_mercato(fake, tmp_path) as m:
        m.feeds.add("/broken", "oops", status=500)
        url = m.feeds.url("/broken")
        feed = await m.storage.feeds.add(url, now=m.clock(), guild_id=fake.guild_id)
        for _ in range(9):  # nine failures already behind it; the next one pauses it
            await m.storage.feeds.record_failure(feed.id, now=m.clock(), error="HTTP 500", next_due_at=m.clock(),
                                                 paused=False)
        report = await m.tick()
        [notice] = await m.channel_alerts(fake.channel_id)  # the server's system channel
        paused = await m.storage.feeds.get(feed.id)

    assert report.notices and paused is not None and paused.paused
    assert notice["content"].startswith(f"Mercato paused the feed <{url}> after repeated failures (last: HTTP 500")
    assert notice["allowed_mentions"] == {"parse": []}


async def test_a_recovered_item_is_alerted_under_its_story(fake_discord: FakeDiscord, tmp_path) -> None:
    """Crash recovery keys an item by the stories stored with it, so later reports still edit that alert."""
    from tests.e2e.helpers import seed_item

    fake = fake_discord
    db = tmp_path / "mercato.sqlite3"
    async with start_mercato(fake, tmp_path, db=db) as m:
        clock = m.clock
        await following_with_channel(m, fake.channel_id)
        m.feeds.add("/rss", rss(OLD_ITEM, seed_item()))
        clock.advance(seconds=m.settings.poll_interval)
        await m.bot.app.ingestor.poll_due(clock())  # stored, then the process "dies" before planning

    async with start_mercato(fake, tmp_path, db=db, clock=clock) as m:
        [message] = await m.channel_alerts(fake.channel_id)
        stories = {(s.player_id, s.to_club_id): s for s in await m.storage.stories.of_item(2)}
        milan = stories[("player:radu-dragusin", "club:ac-milan")]
        row = await m.row(f"story:{milan.id}:talks", "channel", fake.guild_id)

    assert row.message_id == int(message["id"])
