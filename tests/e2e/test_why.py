"""The "Why?" button on every alert (issue 12, part 6), pressed on real alerts through the fake Discord."""

from __future__ import annotations

import re

from tests.e2e.helpers import OLD_ITEM, seed_item, start_mercato
from tests.fakediscord import FakeDiscord


def why_button(message: dict) -> str:
    """The custom_id of a message's Why? button."""
    [why] = [b for row in message["components"] for b in row["components"] if b["label"] == "Why?"]
    return str(why["custom_id"])


async def test_why_names_the_follow_the_wordings_and_the_source_of_a_real_alert(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    """The seed article's channel alert, explained to a follower, to another member, and to another server."""
    fake = fake_discord
    other = fake.add_guild("Other FC", owner_id=fake.owner_id)
    other_channel = fake.add_channel(other, "general")
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.bot.services.set_alert_channel(guild_id=fake.guild_id, channel_id=fake.channel_id)
        await m.command("follow", {"name": "dragusin", "min_stage": "interest"})
        await m.publish(OLD_ITEM, seed_item())
        [alert] = await m.channel_alerts(fake.channel_id)
        custom_id = why_button(alert)
        answers = {}
        for who, kwargs in (("fan", {}), ("admin", {"user": fake.admin_id}),
                            ("stranger", {"guild": other, "channel": other_channel, "user": fake.owner_id})):
            click = fake.make_component_interaction(custom_id, alert["id"], **kwargs)
            answers[who] = await fake.wait_for_response(await fake.send_interaction(click))
        row = await m.storage.outbox.get(int(custom_id.rpartition(":")[2]))
        item = await m.storage.items.get(row.item_id)

    fan = answers["fan"]
    assert fan.ephemeral and fan.callback["data"]["allowed_mentions"] == {"parse": []}
    text = fan.content
    assert text.startswith("**Why this alert?**")
    assert f"**Posted in <#{fake.channel_id}>**, this server's alert channel (tier floor 5)." in text
    # The follow that routed it (with its filter), counted, never naming other members.
    assert "1 member here follows what it mentions; you follow **Radu Drăgușin (Tottenham) · DMs from interest**." in text
    assert "**Rumour:** Radu Drăgușin → AC Milan · talks" in text
    # The wording ids and the spans of the article the reader matched, as stored when it was read.
    wordings = re.findall(r"“([^”]+)” \(`([a-z0-9-]+)`, chars (\d+)–(\d+)\)", text)
    assert ("meeting", "talks-meeting") in [(span, wording) for span, wording, _, _ in wordings]
    assert item.title == seed_item()[1]
    article = f"{item.title}\n\n{item.summary}"  # what the reader read: the title, a blank line, the summary
    for span, _, start, end in wordings:  # each span is where the article says it
        assert article[int(start):int(end)].strip() == span
    assert "• Calciomercato" in text and "(tier 3), talks:" in text
    assert re.search(r"\*\*Source:\*\* Calciomercato\S* \(tier 3\)", text)
    admin = answers["admin"].content
    assert "1 member here follows what it mentions." in admin and "you follow" not in admin
    assert answers["stranger"].content == "This button explains an alert of another server or another person."


async def test_why_on_a_dm_names_the_fans_follow_and_dm_mode_and_only_to_that_fan(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    fan = fake.member_id
    async with start_mercato(fake, tmp_path) as m:
        await m.primed_feed(OLD_ITEM)
        await m.command("follow", {"name": "club:ac-milan"})
        await m.command("dm", {"mode": "always"})
        await m.publish(OLD_ITEM, seed_item())
        [dm] = await fake.wait_for(lambda: fake.dm_messages(fan))
        custom_id = why_button(dm)
        mine = await fake.wait_for_response(await fake.send_interaction(
            fake.make_component_interaction(custom_id, dm["id"], guild=None, user=fan)))
        theirs = await fake.wait_for_response(await fake.send_interaction(
            fake.make_component_interaction(custom_id, dm["id"], guild=None, user=fake.admin_id)))

    assert "**Sent to you by DM** because you follow **AC Milan** (your `/dm` mode: always)." in mine.content
    assert "**Rumour:** Radu Drăgușin → AC Milan · talks" in mine.content and "`talks-meeting`" in mine.content
    assert theirs.content == "This button explains an alert of another server or another person."
