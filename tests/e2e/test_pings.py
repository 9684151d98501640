"""Role pings with filters (issue 12, part 1), end to end: what the fake Discord receives on the wire."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from tests.e2e.helpers import OLD_ITEM, START, Mercato, seed_item, start_mercato
from tests.fakediscord import FakeDiscord

# Read by the production reader from a Calciomercato (tier 3) feed; citing Fabrizio Romano makes tier 1.
TALKS_TIER1 = ("david-talks", "AC Milan in talks for Jonathan David",
               "AC Milan are in talks with Lille over Jonathan David, according to Fabrizio Romano.",
               START + timedelta(minutes=10))
HWG_TIER3 = ("ake-hwg", "Nathan Aké to AC Milan, here we go",
             "Nathan Aké joins AC Milan from Manchester City: here we go, the deal is done.",
             START + timedelta(minutes=20))
ROMA_HWG_TIER1 = ("roma-hwg", "Drăgușin to AS Roma, here we go",
                  "Here we go: Radu Drăgușin joins AS Roma from Tottenham, reports Fabrizio Romano.",
                  START + timedelta(minutes=30))
MILAN_HWG_TIER1 = ("milan-hwg", "Here we go: Drăgușin to AC Milan",
                   "Radu Drăgușin to AC Milan, here we go! Loan from Tottenham agreed, says Fabrizio Romano.",
                   START + timedelta(minutes=40))
MILAN_HWG_AGAIN = ("milan-hwg-2", "Drăgușin: here we go with AC Milan",
                   "Here we go for Radu Drăgușin to AC Milan, the loan from Tottenham is agreed, says Fabrizio Romano.",
                   START + timedelta(minutes=50))
MILAN_HWG = {"club": "club:ac-milan", "min_stage": "here_we_go", "max_tier": 1}
MESSAGES = "/channels/{channel_id}/messages"


async def ping(m: Mercato, role: int, **options: Any) -> str:
    """Run /alerts ping as the server's admin; return the reply."""
    record = await m.command("alerts", {"role": role, **options}, subcommand="ping", user=m.fake.admin_id)
    assert record.ephemeral
    return str(record.content)


async def test_here_we_go_from_tier_1_pings_exactly_that_role_and_nothing_else_does(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """The issue's acceptance: @MilanNews on AC Milan here-we-go from tier ≤ 1; an edit never pings."""
    fake = fake_discord
    milan_news = fake.add_role(fake.guild_id, "MilanNews")
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "club:ac-milan"})
        await m.command("follow", {"name": "player:radu-dragusin"})
        reply = await ping(m, milan_news, **MILAN_HWG)
        await m.publish(OLD_ITEM, TALKS_TIER1, HWG_TIER3, ROMA_HWG_TIER1)
        await m.channel_alerts(fake.channel_id, count=3)
        await m.publish(OLD_ITEM, TALKS_TIER1, HWG_TIER3, ROMA_HWG_TIER1, MILAN_HWG_TIER1)
        *quiet, pinged = await m.channel_alerts(fake.channel_id, count=4)
        await m.publish(OLD_ITEM, TALKS_TIER1, HWG_TIER3, ROMA_HWG_TIER1, MILAN_HWG_TIER1, MILAN_HWG_AGAIN)
        await fake.wait_for(lambda: fake.calls("PATCH", MESSAGES + "/{message_id}"))
        posts = fake.calls("POST", MESSAGES)
        [edit] = fake.calls("PATCH", MESSAGES + "/{message_id}")

    assert f"<@&{milan_news}> — AC Milan · from here we go, tier ≤ 1" in reply
    titles = [message["embeds"][0]["title"] for message in (*quiet, pinged)]
    assert titles == [TALKS_TIER1[1], HWG_TIER3[1], ROMA_HWG_TIER1[1], MILAN_HWG_TIER1[1]]
    assert [post.json.get("content") for post in posts] == [None, None, None, f"<@&{milan_news}>"]
    for post in posts[:3]:  # tier 1 talks, tier 3 here we go, another club's here we go: nobody pinged
        assert post.json["allowed_mentions"] == {"parse": []}
    roles = posts[3].json["allowed_mentions"]
    assert roles["parse"] == [] and [str(r) for r in roles["roles"]] == [str(milan_news)]
    assert set(roles) == {"parse", "roles"}  # no users, no replied_user, never everyone
    # A further report of the same story at the same stage edits the message: no new mention, nobody pinged.
    assert edit.match["message_id"] == pinged["id"]
    assert "content" not in edit.json and edit.json["allowed_mentions"] == {"parse": []}
    assert pinged["content"] == f"<@&{milan_news}>"  # the original mention stays as it was


async def test_a_ping_rule_brings_the_alert_when_nobody_follows_the_club(fake_discord: FakeDiscord, tmp_path) -> None:
    """No member follows AC Milan: the rule alone posts the pinged alert, and only the one that passes."""
    fake = fake_discord
    milan_news = fake.add_role(fake.guild_id, "MilanNews")
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await ping(m, milan_news, **MILAN_HWG)
        await m.publish(OLD_ITEM, HWG_TIER3, MILAN_HWG_TIER1)
        [alert] = await m.channel_alerts(fake.channel_id)
        await m.until(drained(m))
        [why] = [b["custom_id"] for b in alert["components"][0]["components"] if b["label"] == "Why?"]
        answer = await fake.wait_for_response(await fake.send_interaction(
            fake.make_component_interaction(why, alert["id"])))

    assert alert["embeds"][0]["title"] == MILAN_HWG_TIER1[1] and alert["content"] == f"<@&{milan_news}>"
    assert len(fake.calls("POST", MESSAGES)) == 1  # the tier-3 here we go was never queued
    assert "Nobody here follows what it mentions: it came for the role ping below." in answer.content
    assert f"**Pinged** <@&{milan_news}> — AC Milan · from here we go, tier ≤ 1" in answer.content
    assert "`here-we-go-here-we-go`" in answer.content and "**Source:** Fabrizio Romano (tier 1)" in answer.content


async def test_pings_are_listed_removed_and_kept_to_their_server(fake_discord: FakeDiscord, tmp_path) -> None:
    """Manage Server only, never @everyone, one server cannot see or remove another's rule."""
    fake = fake_discord
    milan_news = fake.add_role(fake.guild_id, "MilanNews")
    other = fake.add_guild("Roma Club", owner_id=fake.owner_id)
    fake.add_channel(other, "news")
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "club:ac-milan"})
        refused = await m.command("alerts", {"role": milan_news}, subcommand="ping")  # a plain member
        everyone = await ping(m, fake.guild_id)
        first = await ping(m, milan_news, **MILAN_HWG)
        again = await ping(m, milan_news, **MILAN_HWG)
        listed = await m.command("alerts", {}, subcommand="pings", user=fake.admin_id)
        theirs = await complete_unping(m, other, "")
        ours = await complete_unping(m, fake.guild_id, "milan")
        stolen = await m.command("alerts", {"ping": ours[0]["value"]}, subcommand="unping", guild=other,
                                 user=fake.owner_id)
        removed = await m.command("alerts", {"ping": ours[0]["value"]}, subcommand="unping", user=fake.admin_id)
        empty = await m.command("alerts", {}, subcommand="pings", user=fake.admin_id)
        await m.publish(OLD_ITEM, MILAN_HWG_TIER1)
        [alert] = await m.channel_alerts(fake.channel_id)

    assert "You need the Manage Server permission" in refused.content
    assert "never pings @everyone" in everyone
    assert first.startswith("Alerts in the alert channel will mention") and "already has that ping" in again
    assert listed.content.startswith("This server's role pings (1):")
    assert f"<@&{milan_news}> — AC Milan · from here we go, tier ≤ 1" in listed.content
    assert listed.callback["data"]["allowed_mentions"] == {"parse": []}  # listing a role never pings it
    assert theirs == [] and ours == [{"name": "@MilanNews · AC Milan · from here we go, tier ≤ 1",
                                      "value": ours[0]["value"]}]
    assert "This server has no such role ping" in stolen.content
    assert removed.content.startswith(f"Alerts no longer mention <@&{milan_news}>")
    assert empty.content.startswith("This server pings no role.")
    assert alert["content"] == "" and alert["allowed_mentions"] == {"parse": []}  # the rule is gone


def drained(m: Mercato) -> Callable[[], Awaitable[bool]]:
    """A condition for ``m.until``: nothing is waiting in the outbox."""
    async def check() -> bool:
        return await m.storage.outbox.pending_count() == 0

    return check


async def complete_unping(m: Mercato, guild_id: int, current: str) -> list[dict[str, Any]]:
    """Autocomplete /alerts unping as an admin of ``guild_id``."""
    user = m.fake.admin_id if guild_id == m.fake.guild_id else m.fake.owner_id
    payload = m.fake.make_autocomplete_interaction("alerts", {"ping": current}, focused="ping", subcommand="unping",
                                                   guild=guild_id, user=user)
    await m.fake.send_interaction(payload)
    return (await m.fake.wait_for_response(payload)).choices


AGREED = ("cm-agreed", "AC Milan agree deal with Tottenham for Drăgușin",
          "AC Milan have reached an agreement with Tottenham for Radu Drăgușin, according to Calciomercato.",
          START + timedelta(minutes=35))


async def test_each_stage_climb_that_passes_pings_again(fake_discord: FakeDiscord, tmp_path) -> None:
    """Talks (below the rule) pings nobody; agreement and here we go are new messages and both ping."""
    fake = fake_discord
    milan_news = fake.add_role(fake.guild_id, "MilanNews")
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "player:radu-dragusin"})
        await ping(m, milan_news, club="club:ac-milan", min_stage="agreement")
        await m.publish(OLD_ITEM, seed_item())
        await m.channel_alerts(fake.channel_id, count=1)
        await m.publish(OLD_ITEM, seed_item(), AGREED)
        await m.channel_alerts(fake.channel_id, count=2)
        await m.publish(OLD_ITEM, seed_item(), AGREED, MILAN_HWG_TIER1)
        talks, agreement, here_we_go = await m.channel_alerts(fake.channel_id, count=3)

    assert talks["content"] == "" and talks["allowed_mentions"] == {"parse": []}
    for message in (agreement, here_we_go):
        assert message["content"] == f"<@&{milan_news}>"
        assert [str(r) for r in message["allowed_mentions"]["roles"]] == [str(milan_news)]
    assert here_we_go["embeds"][0]["title"] == MILAN_HWG_TIER1[1]
