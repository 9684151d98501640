"""Story threads on Discord: forum posts, their tags, and finding a post again.

discord.py calls only; what to post, tag or look for is decided in :mod:`bot.alerts.forum`, and
:class:`cogs.delivery.DiscordSender` turns Discord's errors into the core's. The forum is fetched
afresh (``GET /channels/{id}``) before its tags are used: creating a tag replaces the forum's whole
tag list, so it must start from the list as it is now, not from the gateway cache. For the same
reason missing tags are created in one edit, not one ``create_tag`` call each: every
``create_tag`` call sends the tags its forum object knew plus one, so a second call on the same
object would delete the tag the first one made.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from typing import Any

import discord

from bot.alerts.forum import ARCHIVE_MINUTES, MAX_POST_TAGS, NewPost, tags_after, tags_to_create

log = logging.getLogger(__name__)


class NotAForum(Exception):
    """The server's alert channel is not (or no longer) a forum."""


class NotAPost(Exception):
    """A post's thread id names something else than a thread (it cannot happen unless Discord reuses ids)."""


async def fetch_forum(bot: discord.Client, forum_id: int) -> discord.ForumChannel:
    """The forum as Discord has it now (its tags, its newest post)."""
    channel = await bot.fetch_channel(forum_id)
    if not isinstance(channel, discord.ForumChannel):
        raise NotAForum(f"channel {forum_id} is not a forum")
    return channel


async def forum_tags(forum: discord.ForumChannel, wanted: Sequence[str]) -> dict[str, discord.ForumTag]:
    """The forum's tags by case-folded name, after creating those of ``wanted`` it lacks (while it has room)."""
    available = list(forum.available_tags)
    missing = tags_to_create([tag.name for tag in available], wanted)
    if missing:
        try:
            edited = await forum.edit(available_tags=[*available, *(discord.ForumTag(name=n) for n in missing)])
        except discord.Forbidden as exc:  # no Manage Channels there: post with the tags that exist
            log.warning("cannot create tags %s in forum %s (%s); posting without them", missing, forum.id, exc.text)
        else:
            available = list((edited or forum).available_tags)
    return {tag.name.casefold(): tag for tag in available}


def pick(tags: dict[str, discord.ForumTag], names: Sequence[str]) -> list[discord.ForumTag]:
    """The forum tags called ``names`` (those that exist), at most the 5 a post may carry."""
    return [tags[n.casefold()] for n in dict.fromkeys(names) if n.casefold() in tags][:MAX_POST_TAGS]


async def newest_post(bot: discord.Client, forum_id: int) -> int:
    """The id of the forum's newest post (a forum's ``last_message_id``), 0 if it has none."""
    return (await fetch_forum(bot, forum_id)).last_message_id or 0


async def create_post(bot: discord.Client, forum_id: int, post: NewPost, message: dict[str, Any]) -> tuple[int, int]:
    """Create a forum post carrying ``message`` and the tags named in ``post``; return (thread id, starter id)."""
    forum = await fetch_forum(bot, forum_id)
    tags = pick(await forum_tags(forum, post.tags), post.tags)
    created = await forum.create_thread(name=post.title, applied_tags=tags, auto_archive_duration=ARCHIVE_MINUTES,
                                        **message)
    return created.thread.id, created.message.id


async def find_posts(bot: discord.Client, guild_id: int, forum_id: int, *, title: str, after: int) -> list[int]:
    """The bot's posts titled ``title`` in the forum with an id above ``after`` (active, else recently archived)."""
    me = bot.user.id if bot.user is not None else 0

    def wanted(thread: discord.Thread) -> bool:
        return thread.parent_id == forum_id and thread.owner_id == me and thread.name == title and thread.id > after

    guild = bot.get_guild(guild_id) or await bot.fetch_guild(guild_id)
    found = [t.id for t in await guild.active_threads() if wanted(t)]
    if not found:
        forum = await fetch_forum(bot, forum_id)
        found = [t.id async for t in forum.archived_threads(limit=50) if wanted(t)]
    return sorted(found)


async def set_tags(bot: discord.Client, forum_id: int, thread_id: int, names: Sequence[str], *,
                   drop: Collection[str]) -> None:
    """Make a post carry the tags ``names`` (first), keeping its other tags except those in ``drop``."""
    forum = await fetch_forum(bot, forum_id)
    tags = await forum_tags(forum, names)
    thread = await bot.fetch_channel(thread_id)
    if not isinstance(thread, discord.Thread):
        raise NotAPost(f"channel {thread_id} is not a forum post")
    current = {tag.name.casefold(): tag for tag in thread.applied_tags}
    wanted = tags_after([tag.name for tag in thread.applied_tags], names, drop=drop)
    chosen = [tags.get(n.casefold()) or current[n.casefold()] for n in wanted if n.casefold() in tags | current]
    try:
        await thread.edit(applied_tags=chosen)
    except discord.Forbidden as exc:  # a moderated tag, or a forum that forbids it: the post keeps its tags
        log.warning("cannot change the tags of post %s (%s)", thread_id, exc.text)
