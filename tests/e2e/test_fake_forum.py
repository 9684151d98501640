"""Prove the fake Discord's forum channels against a stock discord.py bot: posts, tags, replies, nonces."""

from __future__ import annotations

import discord
import pytest
from discord.ext import commands

from tests.fakediscord import payloads as p
from tests.fakediscord.fixtures import run_bot
from tests.fakediscord.server import FakeDiscord

THREADS = "/channels/{channel_id}/threads"
CHANNEL = "/channels/{channel_id}"


class PlainBot(commands.Bot):
    """A stock bot with no commands."""

    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)


def forum_of(bot: commands.Bot, forum_id: int) -> discord.ForumChannel:
    channel = bot.get_channel(forum_id)
    assert isinstance(channel, discord.ForumChannel)
    return channel


async def test_forum_post_with_tags_and_embed_as_discord_py_sends_it(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfers", tags=("AC Milan", "talks"))
    async with run_bot(PlainBot()) as run:
        forum = forum_of(run.bot, forum_id)
        milan, talks = forum.available_tags
        thread, message = await forum.create_thread(
            name="Radu Drăgușin → AC Milan", embed=discord.Embed(title="Milan meet Drăgușin's agents"),
            applied_tags=[milan, talks], auto_archive_duration=10080, allowed_mentions=discord.AllowedMentions.none())
        await fake.wait_for(lambda: run.bot.get_channel(thread.id) is not None)  # THREAD_CREATE reached the cache
        fetched = await run.bot.fetch_channel(forum_id)

    [call] = fake.calls("POST", THREADS)
    assert call.query == {"use_nested_fields": "1"}
    assert call.json["name"] == "Radu Drăgușin → AC Milan" and call.json["type"] == 11
    assert call.json["applied_tags"] == [str(milan.id), str(talks.id)] and call.json["auto_archive_duration"] == 10080
    assert call.json["message"]["embeds"][0]["title"] == "Milan meet Drăgușin's agents"
    assert message.id == thread.id and thread.parent_id == forum_id and thread.owner_id == fake.app_id
    assert [t.name for t in thread.applied_tags] == ["AC Milan", "talks"]
    assert isinstance(fetched, discord.ForumChannel) and fetched.last_message_id == thread.id
    assert [m["embeds"][0]["title"] for m in fake.post_messages(thread.id)] == ["Milan meet Drăgușin's agents"]
    assert fake.post_tags(thread.id) == ["AC Milan", "talks"]


async def test_forum_tags_replace_the_whole_list_and_are_limited(fake_discord: FakeDiscord) -> None:
    """``create_tag`` sends the tags its object knew plus one: twice on one object, the first tag is lost."""
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfers", tags=("AC Milan",))
    async with run_bot(PlainBot()) as run:
        forum = await run.bot.fetch_channel(forum_id)
        assert isinstance(forum, discord.ForumChannel)
        talks = await forum.create_tag(name="talks")
        medical = await forum.create_tag(name="medical")  # the object still knows only "AC Milan"
        after_stale = fake.forum_tag_names(forum_id)
        edited = await forum.edit(available_tags=[*forum.available_tags, discord.ForumTag(name="talks"),
                                                  discord.ForumTag(name="medical")])
        too_many = [discord.ForumTag(name=f"club {n}") for n in range(21)]
        with pytest.raises(discord.HTTPException) as over:
            await forum.edit(available_tags=too_many)
        with pytest.raises(discord.HTTPException) as long_name:
            await forum.edit(available_tags=[discord.ForumTag(name="Borussia Mönchengladbach")])
        fake.deny_tag_edits(forum_id)
        with pytest.raises(discord.Forbidden) as denied:
            await forum.create_tag(name="loan")

    assert talks.id and medical.id and talks.id != medical.id
    assert after_stale == ["AC Milan", "medical"]
    assert edited is not None and [t.name for t in edited.available_tags] == ["AC Milan", "talks", "medical"]
    assert over.value.status == 400 and over.value.code == p.INVALID_FORM_BODY
    assert long_name.value.code == p.INVALID_FORM_BODY
    assert denied.value.code == p.MISSING_PERMISSIONS
    assert fake.forum_tag_names(forum_id) == ["AC Milan", "talks", "medical"]


async def test_thread_edit_applied_tags(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfers", tags=("AC Milan", "talks", "agreement", "a", "b", "c"))
    other_forum = fake.add_forum(fake.guild_id, "other", tags=("elsewhere",))
    async with run_bot(PlainBot()) as run:
        forum = forum_of(run.bot, forum_id)
        milan, talks, agreement, *extra = forum.available_tags
        thread, _ = await forum.create_thread(name="Radu Drăgușin → AC Milan", content="x", applied_tags=[milan, talks])
        edited = await thread.edit(applied_tags=[milan, agreement])
        with pytest.raises(discord.HTTPException) as six:
            await thread.edit(applied_tags=[milan, agreement, *extra, talks])
        with pytest.raises(discord.HTTPException) as foreign:
            await thread.edit(applied_tags=forum_of(run.bot, other_forum).available_tags)

    [patch, *_] = fake.calls("PATCH", CHANNEL)
    assert patch.json == {"applied_tags": [str(milan.id), str(agreement.id)]}
    assert [t.name for t in edited.applied_tags] == ["AC Milan", "agreement"]
    assert six.value.code == p.INVALID_FORM_BODY and foreign.value.code == p.INVALID_FORM_BODY
    assert fake.post_tags(thread.id) == ["AC Milan", "agreement"]


async def test_replies_nonces_archived_locked_and_forum_messages(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfers", require_tag=True)
    free_forum = fake.add_forum(fake.guild_id, "free")
    async with run_bot(PlainBot()) as run:
        with pytest.raises(discord.HTTPException) as untagged:
            await forum_of(run.bot, forum_id).create_thread(name="no tags", content="x")
        thread, _ = await forum_of(run.bot, free_forum).create_thread(name="Radu Drăgușin → AC Milan", content="x")
        first = await thread.send("Sky: talks", nonce="mercato-1-2")
        again = await thread.send("Sky: talks", nonce="mercato-1-2")  # a retry: Discord answers with the first
        fake.archive_thread(thread.id)
        active = await run.bot.get_guild(fake.guild_id).active_threads()  # type: ignore[union-attr]
        archived = [t async for t in forum_of(run.bot, free_forum).archived_threads()]
        reopened = await thread.send("Calciomercato: agreement", nonce="mercato-1-3")
        with pytest.raises(discord.HTTPException) as long_nonce:
            await thread.send("x", nonce="n" * 26)
        fake.archive_thread(thread.id, locked=True)
        with pytest.raises(discord.Forbidden) as locked:
            await thread.send("too late")
        with pytest.raises(discord.HTTPException) as in_forum:
            await run.bot.get_partial_messageable(free_forum).send("a forum has no messages")

    assert untagged.value.code == p.TAG_REQUIRED
    assert again.id == first.id
    assert [m["content"] for m in fake.post_messages(thread.id)] == ["x", "Sky: talks", "Calciomercato: agreement"]
    assert active == [] and [t.id for t in archived] == [thread.id]
    assert reopened.id != first.id and fake.channels[thread.id]["message_count"] == 2
    assert locked.value.code == p.THREAD_LOCKED and in_forum.value.code == p.NON_TEXT_CHANNEL
    assert long_nonce.value.code == p.INVALID_FORM_BODY


async def test_a_reconnected_bot_knows_the_forum_and_its_active_posts(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    forum_id = fake.add_forum(fake.guild_id, "transfers", tags=("AC Milan",))
    async with run_bot(PlainBot()) as run:
        thread, _ = await forum_of(run.bot, forum_id).create_thread(name="Radu Drăgușin → AC Milan", content="x")
    async with run_bot(PlainBot()) as run:
        guild = run.bot.get_guild(fake.guild_id)
        assert guild is not None
        cached = guild.get_thread(thread.id)
        forum = forum_of(run.bot, forum_id)

    assert cached is not None and cached.parent_id == forum_id and cached.name == "Radu Drăgușin → AC Milan"
    assert [t.name for t in forum.available_tags] == ["AC Milan"]
