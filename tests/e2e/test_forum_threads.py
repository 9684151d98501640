"""Story threads end to end: a forum alert channel gets one post per story, a reply per report, retagged
on a stage climb; a text channel is unchanged; a restart in the middle never opens a second post."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from bot.models import Stage
from tests.e2e.helpers import OLD_ITEM, START, Mercato, rss, seed_item, start_mercato
from tests.fakediscord import FakeDiscord

THREADS = "/channels/{channel_id}/threads"
MESSAGES = "/channels/{channel_id}/messages"
TITLE = "Radu Drăgușin → AC Milan"

SKY = ("sky-1", "Milan in talks with Tottenham over Radu Drăgușin",
       "AC Milan are in talks with Tottenham over a loan for defender Radu Drăgușin, Sky Sports understands.",
       START + timedelta(hours=1))
AGREED = ("cm-2", "AC Milan agree deal with Tottenham for Drăgușin",
          "AC Milan have reached an agreement with Tottenham for Radu Drăgușin, according to Calciomercato.",
          START + timedelta(hours=2))


def fields(message: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


async def with_sky_feed(m: Mercato) -> None:
    """The Calciomercato feed (primed) and a Sky Sports feed, both read by every server."""
    await m.primed_feed(OLD_ITEM)
    m.feeds.add("/sky", rss(OLD_ITEM, title="Sky Sports"))
    await m.storage.feeds.add(m.feeds.url("/sky"), now=m.clock())
    await m.tick()  # the new feed's first poll: stored, not alerted


async def forum_alerts(m: Mercato, forum_id: int) -> Any:
    """Point the server's alerts at the forum through /alerts channel, and follow Drăgușin."""
    reply = await m.command("alerts", {"channel": forum_id}, subcommand="channel", user=m.fake.admin_id)
    await m.command("follow", {"name": "dragusin"})
    return reply


async def test_a_forum_gets_one_post_per_story_a_reply_per_report_and_a_retag_on_a_stage_climb(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories", tags=("AC Milan", "Roma"))
    async with start_mercato(fake, tmp_path) as m:
        await with_sky_feed(m)
        answer = await forum_alerts(m, forum_id)
        await m.publish(OLD_ITEM, seed_item())
        [post] = await fake.wait_for(lambda: fake.posts(forum_id))
        thread_id = int(post["id"])
        first = copy.deepcopy(fake.post_messages(thread_id))
        first_tags = fake.post_tags(thread_id)

        m.feeds.add("/sky", rss(OLD_ITEM, SKY, title="Sky Sports"))  # another outlet, same story, same stage
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: len(fake.post_messages(thread_id)) == 2
                            and fake.post_messages(thread_id)[0]["edited_timestamp"])
        after_sky = copy.deepcopy(fake.post_messages(thread_id))
        await m.publish(OLD_ITEM, seed_item(), AGREED)  # the story climbs to "agreement"
        await fake.wait_for(lambda: len(fake.post_messages(thread_id)) == 3)
        await fake.wait_for(lambda: fields(fake.post_messages(thread_id)[0])["Stage"].startswith("agreement"))
        status = await m.command("status", user=fake.admin_id)

    assert "one post per story" in answer.content and answer.ephemeral
    assert post["name"] == TITLE and first_tags == ["AC Milan", "talks"]  # "AC Milan" reused, "talks" created
    assert fake.forum_tag_names(forum_id) == ["AC Milan", "Roma", "talks", "agreement"]
    [starter] = first
    assert starter["id"] == post["id"] and fields(starter)["Stage"] == "talks" and fields(starter)["Outlets"] == "1"
    assert starter["allowed_mentions"] == {"parse": []}
    starter_now, sky_reply = after_sky
    assert sky_reply["embeds"][0]["title"] == SKY[1] and fields(sky_reply)["Outlets"] == "2"
    assert starter_now["embeds"][0]["title"] == starter["embeds"][0]["title"]  # the starter keeps its article
    assert fields(starter_now)["Outlets"] == "2" and "Sky Sports" in fields(starter_now)["Also reported by"]
    climb = fake.post_messages(thread_id)[2]
    assert climb["embeds"][0]["title"] == AGREED[1] and fields(climb)["Stage"].startswith("agreement")
    assert fake.post_tags(thread_id) == ["AC Milan", "agreement"]
    # The starter follows the story (waited for above): its stage, and the newest report.
    assert AGREED[1] in fields(fake.post_messages(thread_id)[0])["Latest report"]
    assert len(fake.calls("POST", THREADS)) == 1 and len(fake.posts(forum_id)) == 1
    assert fake.calls("POST", MESSAGES) and all(int(c.match["channel_id"]) == thread_id
                                                for c in fake.calls("POST", MESSAGES))
    assert fake.channel_messages(fake.channel_id) == []  # nothing went to a text channel
    assert "(forum: one post per story)" in status.content


async def test_a_text_channel_keeps_one_message_per_alert_edited_in_place(fake_discord: FakeDiscord, tmp_path) -> None:
    """With a forum in the server but a text alert channel, nothing changes: no post, an edit, a new message."""
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories")
    async with start_mercato(fake, tmp_path) as m:
        await with_sky_feed(m)
        await m.command("alerts", {"channel": fake.channel_id}, subcommand="channel", user=fake.admin_id)
        await m.command("follow", {"name": "dragusin"})
        await m.publish(OLD_ITEM, seed_item())
        [first] = copy.deepcopy(await m.channel_alerts(fake.channel_id))
        m.feeds.add("/sky", rss(OLD_ITEM, SKY, title="Sky Sports"))
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: fake.channel_messages(fake.channel_id)[0]["edited_timestamp"])
        await m.publish(OLD_ITEM, seed_item(), AGREED)
        edited, climbed = await m.channel_alerts(fake.channel_id, count=2)

    assert edited["id"] == first["id"] and fields(edited)["Outlets"] == "2"
    assert fields(climbed)["Stage"].startswith("agreement")
    assert fake.calls("POST", THREADS) == [] and fake.posts(forum_id) == []
    nonces = [c.json["nonce"] for c in fake.calls("POST", MESSAGES)]
    assert len(set(nonces)) == 2 and all(n.startswith("mercato-") for n in nonces)  # one per outbox row, as before


async def test_a_restart_between_discord_creating_the_post_and_its_answer_opens_no_second_post(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories")
    db = tmp_path / "mercato.sqlite3"
    async with start_mercato(fake, tmp_path, db=db) as m:
        clock = m.clock
        await with_sky_feed(m)
        await forum_alerts(m, forum_id)
        withheld = fake.hold_answers("POST", THREADS)  # Discord creates the post; its answer never arrives
        m.feeds.add("/sky", rss(OLD_ITEM, SKY, title="Sky Sports"))  # a second report in the same poll
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: fake.posts(forum_id))
        [attempt] = [p for p in [await m.storage.forum.find(fake.guild_id, forum_id, s) for s in await subjects(m)]
                     if p is not None]
    withheld.set()
    assert attempt.thread_id is None and attempt.title == TITLE  # the bot died before recording the post

    async with start_mercato(fake, tmp_path, db=db, clock=clock) as m:
        row = await m.until(lambda: sent_row(m))
        adopted = await m.storage.forum.find(fake.guild_id, forum_id, attempt.subject)

    [post] = fake.posts(forum_id)
    assert len(fake.calls("POST", THREADS)) == 1
    assert fake.calls("GET", "/guilds/{guild_id}/threads/active")  # it looked the post up by its title
    assert adopted is not None and adopted.thread_id == int(post["id"]) and row.channel_id == int(post["id"])
    starter, sky = fake.post_messages(int(post["id"]))  # the report the crash held back is a reply there
    assert sky["embeds"][0]["title"] == SKY[1] and fields(starter)["Outlets"] == "2"


async def test_a_deleted_or_locked_post_is_replaced_by_a_new_one(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories")
    async with start_mercato(fake, tmp_path) as m:
        await with_sky_feed(m)
        await forum_alerts(m, forum_id)
        await m.publish(OLD_ITEM, seed_item())
        [gone] = await fake.wait_for(lambda: fake.posts(forum_id))
        fake.delete_channel(int(gone["id"]))  # a moderator deleted the post
        m.feeds.add("/sky", rss(OLD_ITEM, SKY, title="Sky Sports"))
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: len(fake.posts(forum_id)) == 2)
        fake.archive_thread(int(fake.posts(forum_id)[1]["id"]), locked=True)  # and locked the next one
        await m.publish(OLD_ITEM, seed_item(), AGREED)
        await fake.wait_for(lambda: len(fake.posts(forum_id)) == 3)
        settings = await m.storage.guilds.get(fake.guild_id)

    _, new, newest = fake.posts(forum_id)
    assert new["name"] == newest["name"] == TITLE
    assert [m["embeds"][0]["title"] for m in fake.post_messages(int(new["id"]))] == [SKY[1]]
    assert [m["embeds"][0]["title"] for m in fake.post_messages(int(newest["id"]))] == [AGREED[1]]
    assert settings.channel_failure is None  # a deleted or locked post is not a broken alert channel


async def test_a_restart_between_a_reply_and_its_answer_posts_the_reply_once(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories")
    db = tmp_path / "mercato.sqlite3"
    async with start_mercato(fake, tmp_path, db=db) as m:
        clock = m.clock
        await with_sky_feed(m)
        await forum_alerts(m, forum_id)
        await m.publish(OLD_ITEM, seed_item())
        row = await m.until(lambda: sent_row(m))
        withheld = fake.hold_answers("POST", MESSAGES)  # Discord posts the reply; its answer never arrives
        m.feeds.add("/sky", rss(OLD_ITEM, SKY, title="Sky Sports"))
        await m.publish(OLD_ITEM, seed_item())
        await fake.wait_for(lambda: len(fake.post_messages(row.channel_id)) == 2)
    withheld.set()

    async with start_mercato(fake, tmp_path, db=db, clock=clock) as m:
        await m.until(lambda: sent_row(m, edited=True))

    first, retry = fake.calls("POST", MESSAGES)
    assert first.json["nonce"] == retry.json["nonce"] and retry.json["enforce_nonce"] is True
    assert [msg["embeds"][0]["title"] for msg in fake.post_messages(row.channel_id)][1:] == [SKY[1]]


async def test_tags_are_reused_by_name_and_left_out_when_the_forum_is_full(fake_discord: FakeDiscord,
                                                                           tmp_path) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories", tags=("ac milan", *(f"club {n}" for n in range(18))))
    async with start_mercato(fake, tmp_path) as m:
        await with_sky_feed(m)
        await forum_alerts(m, forum_id)
        await m.publish(OLD_ITEM, seed_item())
        [post] = await fake.wait_for(lambda: fake.posts(forum_id))
        opened = fake.post_tags(int(post["id"]))
        await m.publish(OLD_ITEM, seed_item(), AGREED)
        await m.until(lambda: sent_row(m, stage=Stage.AGREEMENT))

    assert opened == ["ac milan", "talks"]  # the 20th tag: "talks"
    assert len(fake.forum_tag_names(forum_id)) == 20 and "agreement" not in fake.forum_tag_names(forum_id)
    assert fake.post_tags(int(post["id"])) == ["ac milan"]  # no room for "agreement"; "talks" is stale: gone


async def test_without_manage_channels_a_post_goes_out_untagged_and_an_item_without_rumour_gets_its_own(
    fake_discord: FakeDiscord, tmp_path
) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfer-stories")
    fake.deny_tag_edits(forum_id)
    plain = ("n1", "Drăgușin update 1", "AC Milan keep pushing for the Tottenham defender.", START + timedelta(minutes=1))
    async with start_mercato(fake, tmp_path) as m:
        await with_sky_feed(m)
        await forum_alerts(m, forum_id)
        await m.publish(OLD_ITEM, seed_item(), plain)
        await fake.wait_for(lambda: len(fake.posts(forum_id)) == 2)
        settings = await m.storage.guilds.get(fake.guild_id)

    story_post, item_post = fake.posts(forum_id)
    assert story_post["name"] == TITLE and fake.post_tags(int(story_post["id"])) == []
    assert item_post["name"] == "Drăgușin update 1" and fake.post_tags(int(item_post["id"])) == []
    assert [c.status for c in fake.calls("PATCH", "/channels/{channel_id}")] == [403]  # tried once per post
    assert settings.channel_failure is None


async def test_alerts_channel_refuses_a_media_channel(fake_discord: FakeDiscord, tmp_path) -> None:
    fake = fake_discord
    media_id = fake.add_forum(fake.guild_id, "clips", media=True)
    async with start_mercato(fake, tmp_path) as m:
        answer = await m.command("alerts", {"channel": media_id}, subcommand="channel", user=fake.admin_id)
        settings = await m.storage.guilds.get(fake.guild_id)
    command = fake.find_command("alerts")
    assert command is not None
    [channel_option] = [o for sub in command["options"] if sub["name"] == "channel" for o in sub["options"]]

    assert sorted(channel_option["channel_types"]) == [0, 5, 15, 16]  # text, news, forum, media
    assert answer.ephemeral and "Pick a text channel or a forum" in answer.content
    assert settings.alert_channel_id is None


async def subjects(m: Mercato) -> list[Any]:
    from bot.models import PostSubject

    return [PostSubject(story_id=s.id) for s in await m.storage.stories.since(START - timedelta(days=1))]


async def sent_row(m: Mercato, *, edited: bool = False, stage: Stage = Stage.TALKS) -> Any:
    """The channel row of the seed article's story at ``stage`` once delivered (``edited``: delivered again)."""
    from bot.models import Action, AlertKey, TargetKind

    for story in await m.storage.stories.since(START - timedelta(days=1)):
        row = await m.storage.outbox.find(AlertKey.for_story(story.id, stage), TargetKind.CHANNEL,
                                          m.fake.guild_id)
        if row is not None and row.status == "sent" and (row.action is Action.EDIT) == edited:
            return row
    return None
