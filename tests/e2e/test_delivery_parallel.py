"""One channel in an outage holds up no other channel and no DM: routes are delivered in parallel.

Three routes get the same alert: the default server's alert channel (#transfers, the one that
fails), another server's alert channel, and a fan's DMs. Before, deliveries went one at a time, so
the failing channel's send — held inside discord.py, which retries a 500 itself for up to 25 s —
delayed everyone behind it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.models import AlertKey, OutboxRow, TargetKind
from tests.e2e.helpers import OLD_ITEM, START, Mercato, start_mercato
from tests.fakediscord import FakeDiscord, Recorded

MESSAGES = "/channels/{channel_id}/messages"


def item(n: int) -> tuple[str, str, str, object]:
    return f"n{n}", f"Drăgușin update {n}", "AC Milan keep pushing for the Tottenham defender.", START + timedelta(
        minutes=n)


@dataclass(frozen=True)
class Rival:
    """A second server with its own alert channel and a member who follows Drăgușin there."""

    guild: int
    channel: int
    fan: int


def rival_server(fake: FakeDiscord) -> Rival:
    """Create the second server (before the bot starts, so READY lists it)."""
    guild = fake.add_guild("Rival FC", owner_id=fake.owner_id)
    channel = fake.add_channel(guild, "alerts")
    fan = int(fake.add_user("rival-fan")["id"])
    fake.add_member(guild, fan)
    return Rival(guild, channel, fan)


async def alerts_on_three_routes(m: Mercato, rival: Rival) -> None:
    """#transfers and the rival's channel get channel alerts; the default server's fan gets DMs too."""
    fake = m.fake
    await m.primed_feed(OLD_ITEM)
    await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.second_channel_id)
    await m.bot.services.set_alert_channel(guild_id=rival.guild, channel_id=rival.channel)
    await m.command("follow", {"name": "dragusin"})
    await m.command("dm", {"mode": "always"})
    await m.command("follow", {"name": "dragusin"}, guild=rival.guild, user=rival.fan)


def posts(fake: FakeDiscord, channel_id: int) -> list[Recorded]:
    return [c for c in fake.calls("POST", MESSAGES) if int(c.match["channel_id"]) == channel_id]


def titles(messages: list[dict]) -> list[str]:
    return [msg["embeds"][0]["title"] for msg in messages]


@pytest.mark.parametrize("status", [500, 429])
async def test_a_channel_in_an_outage_delays_no_other_channel_nor_dm(
    fake_discord: FakeDiscord, tmp_path, status: int
) -> None:
    """discord.py retries the failing channel by itself (a 500 after 1 s, a 429 after its retry_after);
    meanwhile the other server's channel and the DM are delivered, and the failing one arrives once."""
    fake = fake_discord
    rival = rival_server(fake)
    failing = fake.second_channel_id
    async with start_mercato(fake, tmp_path) as m:
        await alerts_on_three_routes(m, rival)
        fake.fail_channel(failing, status, retry_after=1.0)
        await m.publish(OLD_ITEM, item(1))
        await fake.wait_for(lambda: fake.channel_messages(rival.channel) and fake.dm_messages(fake.member_id))
        during_outage = [c.status for c in posts(fake, failing)]
        fake.heal_channel(failing)
        healed_at = time.monotonic()
        [late] = await m.channel_alerts(failing)
        row = await m.row("item:2", "channel", fake.guild_id)

    # The others arrived while the failing channel had been answered nothing but errors.
    assert during_outage and set(during_outage) == {status}
    on_time = [c for c in fake.calls("POST", MESSAGES) if c.status == 200 and int(c.match["channel_id"]) != failing]
    assert len(on_time) == 2 and all(c.time < healed_at for c in on_time)
    assert titles(fake.channel_messages(rival.channel)) == titles(fake.dm_messages(fake.member_id)) == [
        "Drăgușin update 1"]
    # The failing channel's alert: once, after it recovered, from discord.py's own retry.
    assert [c.status for c in posts(fake, failing)] == [*during_outage, 200]
    assert titles(fake.channel_messages(failing)) == ["Drăgușin update 1"]
    assert row.message_id == int(late["id"]) and row.attempts == 0


async def _failed_once(m: Mercato, key: str) -> OutboxRow | None:
    """The #transfers row of ``key`` once a failed attempt was recorded on it."""
    row = await m.storage.outbox.find(AlertKey.parse(key), TargetKind.CHANNEL, m.fake.guild_id)
    return row if row is not None and row.last_error else None


async def test_a_channel_held_by_a_long_rate_limit_keeps_its_order_and_holds_up_no_one(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """A 429 longer than discord.py will wait goes back to the outbox; the channel's next alert waits
    behind it (not tried while the channel is held), the others get both alerts on time."""
    fake = fake_discord
    rival = rival_server(fake)
    failing = fake.second_channel_id
    async with start_mercato(fake, tmp_path, bot_kwargs={"max_ratelimit_timeout": 30}) as m:
        await alerts_on_three_routes(m, rival)
        fake.fail_channel(failing, 429, retry_after=600)
        await m.publish(OLD_ITEM, item(1))
        held = await m.until(lambda: _failed_once(m, "item:2"))
        await fake.wait_for(lambda: fake.channel_messages(rival.channel) and fake.dm_messages(fake.member_id))

        await m.publish(OLD_ITEM, item(1), item(2))  # 5 minutes later, still inside the 10-minute limit
        await fake.wait_for(lambda: len(fake.channel_messages(rival.channel)) == len(fake.dm_messages(fake.member_id))
                            == 2)
        behind = await m.row("item:3", "channel", fake.guild_id, status="pending")
        tries_while_held = len(posts(fake, failing))

        m.clock.at = held.next_attempt_at  # the rate limit is over
        fake.heal_channel(failing)
        m.wake_delivery()
        messages = await m.channel_alerts(failing, 2)
        rows = [await m.row(f"item:{n}", "channel", fake.guild_id) for n in (2, 3)]

    assert held.attempts == 0  # a rate limit never counts towards giving up
    assert tries_while_held == 1  # the second alert waited behind the first instead of trying again
    assert behind.next_attempt_at == held.next_attempt_at and behind.attempts == 0
    for route in (fake.channel_messages(rival.channel), fake.dm_messages(fake.member_id), messages):
        assert titles(route) == ["Drăgușin update 1", "Drăgușin update 2"]  # in order, once each
    assert [c.status for c in posts(fake, failing)] == [429, 200, 200]
    assert [r.message_id for r in rows] == [int(msg["id"]) for msg in messages]
