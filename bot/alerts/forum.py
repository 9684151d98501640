"""Story threads: a server whose alert channel is a forum gets one post per story (issue 12, part 3).

What a server sees in its forum:

* **one post per story**, titled "Player → Club" ("Radu Drăgușin → AC Milan"), tagged with the club
  and the stage ("AC Milan", "talks"); its starter message is the alert embed;
* **every further report is a reply** in that post (the report's own article, stage and source), and
  the starter message is **edited** to the story as it is now (stage, outlets, heat, latest report):
  the forum's list shows each story's current state and the thread reads as its timeline;
* **a stage climb** is a reply too, and the post's stage tag is replaced ("talks" → "agreement");
  tags someone else applied stay;
* an item that reports no rumour (it only mentions a followed player or club) gets a post of its own,
  titled with its headline and untagged.

Tags are reused by name (case-insensitively) and created when missing, as long as the forum has
room (Discord allows 20 tags per forum and 5 per post); a tag that does not fit is left out.

**Exactly once through restarts.** Every step records what Discord confirmed before the next one:

* *the post*: Discord takes no nonce when it creates a forum post, so the post's row is written
  before the request, with the forum's newest post id at that moment (``newest_before``). A row
  without a thread id therefore means "a creation may have reached Discord": the next attempt first
  looks for a post with that title, by the bot, in that forum, newer than ``newest_before`` and not
  already another story's, and adopts it instead of creating a second one. Snowflakes only grow, so
  this needs no clock shared with Discord, and an older post with the same title (an earlier story
  of the same player and club) is never taken for it;
* *a reply*: messages do take a nonce, sent with ``enforce_nonce`` (Discord answers a repeat within
  a few minutes with the message already created), and each report a post shows is recorded as
  soon as Discord confirmed its reply;
* *tags and the starter edit* set a state, so repeating them is harmless.

A post whose thread was deleted (or locked) is forgotten and the report opens a new post.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final, Protocol, runtime_checkable

from bot.alerts.view import pretty
from bot.catalogue import Catalogue
from bot.delivery import MessageGone, MessageRejected, Renderer, Sender, SentMessage
from bot.models import (
    Action,
    AlertKey,
    AlertView,
    ForumPost,
    GuildSettings,
    OutboxRow,
    PostSubject,
    Report,
    Stage,
    Story,
)
from bot.storage import Storage

log = logging.getLogger(__name__)

MAX_FORUM_TAGS: Final = 20  # Discord's limit per forum
MAX_POST_TAGS: Final = 5  # Discord's limit per post
TAG_CHARS: Final = 20
TITLE_CHARS: Final = 100
MAX_REPLIES: Final = 5  # per delivery: after a long outage only the newest reports get a reply
ARCHIVE_MINUTES: Final = 10080  # a post stays active a week after its last report
STAGE_TAGS: Final = frozenset(pretty(stage.value) for stage in Stage)


class PostGone(MessageRejected):
    """The post's thread is gone (deleted) or closed to the bot (locked): open a new post."""


@dataclass(frozen=True, slots=True)
class NewPost:
    """A forum post to create: its title and the names of the tags it should carry."""

    title: str
    tags: tuple[str, ...]


@runtime_checkable
class ForumSender(Sender, Protocol):
    """The Discord side of story threads (a :class:`~bot.delivery.Sender` that can also use forums).

    Thread-level failures raise :class:`PostGone` (thread deleted or locked) or the usual delivery
    errors; a refused tag change is the sender's to log, not a failed delivery.
    """

    async def newest_post(self, forum_id: int, *, guild_id: int) -> int:
        """The id of the forum's newest post (0 if none): a snowflake, so any later post has a larger id."""
        ...

    async def create_post(self, forum_id: int, post: NewPost, view: AlertView, *, guild_id: int) -> SentMessage:
        """Create a post (tags created if missing and room is left); return (starter id, thread id)."""
        ...

    async def find_posts(self, forum_id: int, *, guild_id: int, title: str, after: int) -> list[int]:
        """Thread ids of the bot's posts titled ``title`` in the forum with an id above ``after``, oldest first."""
        ...

    async def reply(self, thread_id: int, view: AlertView, *, guild_id: int, nonce: str) -> SentMessage:
        """Post an alert as a reply in a thread."""
        ...

    async def set_tags(
        self, forum_id: int, thread_id: int, tags: Sequence[str], *, guild_id: int, drop: Collection[str]
    ) -> None:
        """Make a post carry ``tags`` (first) and keep its other tags except those named in ``drop``."""
        ...

    async def edit_starter(self, thread_id: int, message_id: int, view: AlertView, *, guild_id: int) -> SentMessage:
        """Replace a post's starter message with a newer view."""
        ...


def tag_name(text: str) -> str:
    """A forum tag name: one line, at most 20 characters (Discord's limit)."""
    name = " ".join(text.split())
    return name if len(name) <= TAG_CHARS else name[: TAG_CHARS - 1].rstrip() + "…"


def post_title(text: str) -> str:
    """A post title: one line, at most 100 characters (Discord's limit)."""
    title = " ".join(text.split()) or "(untitled)"
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def tags_to_create(available: Sequence[str], wanted: Sequence[str], *, limit: int = MAX_FORUM_TAGS) -> list[str]:
    """The wanted tags the forum lacks (names compared case-insensitively), as many as still fit in it."""
    have = {name.casefold() for name in available}
    missing = [name for name in dict.fromkeys(wanted) if name.casefold() not in have]
    return missing[: max(limit - len(available), 0)]


def tags_after(applied: Sequence[str], wanted: Sequence[str], *, drop: Collection[str],
               limit: int = MAX_POST_TAGS) -> list[str]:
    """The tags a post should carry: ``wanted`` first, then the others it has except those in ``drop``."""
    gone = {name.casefold() for name in (*drop, *wanted)}
    kept = [name for name in applied if name.casefold() not in gone]
    return [*dict.fromkeys(wanted), *kept][:limit]


@dataclass(frozen=True, slots=True)
class Replies:
    """The reports a delivery replies with (oldest first), and the older ones it leaves out (after an outage)."""

    items: tuple[int, ...]
    left_out: tuple[int, ...] = ()


def replies_due(story: Story, *, shown: Collection[int], starter: int, trigger: int, visible_feeds: Collection[int],
                tier_floor: int, limit: int = MAX_REPLIES) -> Replies:
    """The story's reports the post does not show yet, oldest first: those published after the starter's
    article (older ones are in the starter's trail) that this server may see, from its feeds and within
    its tier floor, and the report that triggered the delivery (planning checked it). Only the newest
    ``limit`` get a reply; the rest are still counted in the starter message's trail.

    Item ids are not an order here: feeds are fetched concurrently, so a report published later can be
    stored first; what a post shows is therefore recorded item by item, not as a watermark.
    """
    opened = next(((r.published, r.item_id) for r in story.reports if r.item_id == starter), None)

    def due(report: Report) -> bool:
        if report.item_id in shown:
            return False
        if report.item_id == trigger:
            return True
        later = opened is None or (report.published, report.item_id) > opened
        return later and (report.feed_id is None or report.feed_id in visible_feeds) and (
            report.tier is None or report.tier <= tier_floor)

    ordered = list(dict.fromkeys(r.item_id for r in sorted(story.reports, key=lambda r: (r.published, r.item_id))
                                 if due(r)))
    cut = max(len(ordered) - limit, 0)
    return Replies(tuple(ordered[cut:]), tuple(ordered[:cut]))


def reply_nonce(row_id: int, item_id: int) -> str:
    """The nonce of one reply (at most 25 characters, as Discord requires): unique per outbox row and item."""
    return f"mr-{_base36(row_id)}-{_base36(item_id)}"  # "mr": a Mercato reply


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


@dataclass(frozen=True, slots=True)
class Topic:
    """What a row's post is about, as it is now: title, tags, stage tag, and the story if any."""

    subject: PostSubject
    title: str
    tags: tuple[str, ...]
    stage: str | None
    story: Story | None


class StoryThreads:
    """Delivers a server's channel alerts into its forum: one post per story, one reply per report."""

    def __init__(self, storage: Storage, catalogue: Catalogue, render: Renderer, *,
                 now: Callable[[], datetime]) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.render = render
        self.now = now

    async def deliver(self, row: OutboxRow, settings: GuildSettings, sender: Sender) -> SentMessage:
        """Deliver one channel row into the server's forum; return the last message Discord confirmed."""
        if not isinstance(sender, ForumSender):
            raise MessageRejected("this delivery path cannot post in forum channels")
        assert settings.alert_channel_id is not None  # checked before a row is delivered
        topic = await self.topic(row)
        if topic is None:
            raise MessageRejected("the alert's story and item no longer exist")
        try:
            return await self._deliver(row, topic, settings, sender)
        except PostGone as exc:
            post = await self.storage.forum.find(row.guild_id, settings.alert_channel_id, topic.subject)
            if post is not None:
                await self.storage.forum.forget(post.id)
            log.info("forum post %r of server %s is gone (%s); opening a new one", topic.title, row.guild_id, exc)
            return await self._deliver(row, topic, settings, sender)

    async def topic(self, row: OutboxRow) -> Topic | None:
        """The post a row belongs to: its story's (title "Player → Club", club and stage tags), else its item's."""
        story = await self._story_of(row)
        if story is not None:
            player = self.catalogue.find(story.player_id)
            club = self.catalogue.find(story.to_club_id)
            player_name = player.name if player is not None else story.player_id.partition(":")[2]
            club_name = club.name if club is not None else story.to_club_id.partition(":")[2]
            stage = pretty(story.stage.value)
            return Topic(PostSubject(story_id=story.id), post_title(f"{player_name} → {club_name}"),
                         (tag_name(club_name), stage), stage, story)
        item = await self.storage.items.get(row.item_id)
        if item is None:
            return None
        return Topic(PostSubject(item_id=item.id), post_title(item.title), (), None, None)

    async def _story_of(self, row: OutboxRow) -> Story | None:
        """The story a row's post is about. An alert can carry several stories (an item linking a player
        with two clubs); in a forum each story has its own post, so a row goes to the post of the story
        its item reports: the alert's own if the item reports it, else the item's most advanced one."""
        stories = await self.storage.stories.of_item(row.item_id)
        if own := [s for s in stories if s.id == row.alert_key.story_id]:
            return own[0]
        if stories:
            def reported(story: Story) -> tuple[int, int]:
                stage = next((r.stage for r in story.reports if r.item_id == row.item_id), story.stage)
                return stage.rank, -story.id

            return max(stories, key=reported)
        return await self.storage.stories.get(row.alert_key.story_id) if row.alert_key.story_id is not None else None

    def _as_post(self, row: OutboxRow, topic: Topic, item_id: int) -> OutboxRow:
        """The row to render for a message of this post: the post's story (not the alert's), showing ``item_id``."""
        key = AlertKey.for_story(topic.story.id, topic.story.stage) if topic.story is not None else row.alert_key
        return replace(row, alert_key=key, item_id=item_id, action=Action.SEND)

    async def _deliver(self, row: OutboxRow, topic: Topic, settings: GuildSettings, sender: ForumSender) -> SentMessage:
        forum_id = settings.alert_channel_id
        assert forum_id is not None
        post = await self.storage.forum.find(row.guild_id, forum_id, topic.subject)
        created = False
        if post is None or post.thread_id is None:
            post, created = await self._open(row, forum_id, topic, post, sender)
        assert post.thread_id is not None and post.starter_message_id is not None
        last = SentMessage(post.starter_message_id, post.thread_id)
        if topic.story is not None:
            last = await self._reply(row, topic, post, settings, sender) or last
        if topic.stage is not None and topic.stage != post.stage:  # a stage climb (or a fall to "denied")
            await sender.set_tags(forum_id, post.thread_id, topic.tags, guild_id=row.guild_id, drop=STAGE_TAGS)
            await self.storage.forum.retagged(post.id, topic.stage, now=self.now())
        if not created:  # a post created just now already shows the story as it is
            await self._refresh_starter(self._as_post(row, topic, post.starter_item_id), post, sender)
        return last

    async def _open(self, row: OutboxRow, forum_id: int, topic: Topic, attempt: ForumPost | None,
                    sender: ForumSender) -> tuple[ForumPost, bool]:
        """Create the post, or adopt the one an interrupted ``attempt`` created; True if created now."""
        if attempt is not None:  # an earlier attempt never recorded Discord's answer: did it reach Discord?
            for thread_id in await sender.find_posts(forum_id, guild_id=row.guild_id, title=attempt.title,
                                                     after=attempt.newest_before):
                if not await self.storage.forum.thread_taken(thread_id):
                    log.warning("forum post %r (thread %s) was created before a restart; adopting it",
                                attempt.title, thread_id)
                    adopted = await self.storage.forum.confirm(attempt.id, thread_id=thread_id,
                                                               starter_message_id=thread_id, now=self.now())
                    return adopted, False
        view = await self.render(self._as_post(row, topic, row.item_id))
        if view is None:
            raise MessageRejected("the alert's item no longer exists")
        newest = await sender.newest_post(forum_id, guild_id=row.guild_id)
        post = await self.storage.forum.begin(row.guild_id, forum_id, topic.subject, title=topic.title,
                                              newest_before=newest, starter_item_id=row.item_id, stage=topic.stage,
                                              now=self.now())
        sent = await sender.create_post(forum_id, NewPost(topic.title, topic.tags), view, guild_id=row.guild_id)
        confirmed = await self.storage.forum.confirm(post.id, thread_id=sent.channel_id,
                                                     starter_message_id=sent.message_id, now=self.now())
        return confirmed, True

    async def _reply(self, row: OutboxRow, topic: Topic, post: ForumPost, settings: GuildSettings,
                     sender: ForumSender) -> SentMessage | None:
        """Reply with each report of the story the post does not show yet; return the last reply, if any."""
        assert topic.story is not None and post.thread_id is not None
        replies = replies_due(topic.story, shown=await self.storage.forum.shown(post.id),
                              starter=post.starter_item_id, trigger=row.item_id,
                              visible_feeds=await self.storage.timeline.visible_feeds(row.guild_id),
                              tier_floor=settings.tier_floor)
        await self.storage.forum.mark_shown(post.id, replies.left_out)
        last = None
        for item_id in replies.items:
            view = await self.render(self._as_post(row, topic, item_id))
            if view is not None:
                last = await sender.reply(post.thread_id, view, guild_id=row.guild_id,
                                          nonce=reply_nonce(row.id, item_id))
            await self.storage.forum.mark_shown(post.id, [item_id])  # before the next reply, which may fail
        return last

    async def _refresh_starter(self, starter: OutboxRow, post: ForumPost, sender: ForumSender) -> None:
        """Edit the starter message to the story as it is now (it keeps showing the article it opened with)."""
        view = await self.render(starter)
        if view is None or post.thread_id is None or post.starter_message_id is None:
            return  # the starter's article was pruned: leave the message as it is
        try:
            await sender.edit_starter(post.thread_id, post.starter_message_id, view, guild_id=starter.guild_id)
        except MessageGone:
            log.info("the starter message of thread %s was deleted; the thread goes on without it", post.thread_id)
