"""Forum channels for the fake Discord: posts (public threads), their messages, and forum tags.

Mixed into :class:`tests.fakediscord.server.FakeDiscord`. What it serves, as discord.py 2.7.1 sends it:

* ``POST /channels/{forum}/threads?use_nested_fields=1`` (``ForumChannel.create_thread``): a body
  ``{"name", "auto_archive_duration", "rate_limit_per_user", "type": 11, "applied_tags": [ids],
  "message": {"embeds", "components", "allowed_mentions", "tts", ...}}``; the answer is the thread with
  ``"message"`` (the starter, whose id is the thread's) and ``"member"``; the forum's ``last_message_id``
  becomes the new post's id. THREAD_CREATE is pushed on the gateway.
* ``PATCH /channels/{forum}`` with ``available_tags`` (``ForumChannel.edit`` / ``create_tag``): the list
  *replaces* the forum's tags (a tag without ``id`` is created, an omitted one is deleted and taken off
  every post); at most 20, names of 1-20 characters. Needs Manage Channels (:meth:`deny_tag_edits`).
  CHANNEL_UPDATE is pushed.
* ``PATCH /channels/{thread}`` with ``applied_tags`` (``Thread.edit``), ``archived``, ``locked``, ``name``:
  at most 5 tags, each one of the parent forum's. THREAD_UPDATE is pushed.
* ``POST /channels/{thread}/messages``: a reply (``message_count`` grows, an archived post is reopened,
  a locked one refuses with 160005). ``POST /channels/{forum}/messages`` is refused (50008): a forum
  has no messages of its own.
* ``GET /guilds/{guild}/threads/active`` and ``GET /channels/{forum}/threads/archived/public``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiohttp import web

from tests.fakediscord import payloads as p
from tests.fakediscord.payloads import Payload

MAX_FORUM_TAGS = 20
MAX_POST_TAGS = 5
TAG_NAME_CHARS = 20
TITLE_CHARS = 100


def _invalid(message: str) -> web.Response:
    from tests.fakediscord.server import json_response

    return json_response({"code": p.INVALID_FORM_BODY, "message": "Invalid Form Body",
                          "errors": {"_errors": [{"code": "BASE_TYPE_INVALID", "message": message}]}}, status=400)


def _error(status: int, code: int) -> web.Response:
    from tests.fakediscord.server import error_response

    return error_response(status, code)


class ForumFake:
    """Forum state and REST handlers (see the module docstring); expects FakeDiscord's attributes."""

    channels: dict[int, Payload]
    guilds: dict[int, Any]
    messages: dict[int, list[Payload]]
    messages_by_id: dict[int, Payload]
    app_id: int
    bot_user: Payload
    deleted_channels: set[int]

    def _init_forums(self) -> None:
        self.posts_of: dict[int, list[int]] = defaultdict(list)  # forum id → its posts' thread ids, oldest first
        self.tag_edits_denied: set[int] = set()  # forums where the bot lacks Manage Channels

    # ------------------------------------------------------------------ test helpers

    def add_forum(self, guild_id: int, name: str, *, tags: tuple[str, ...] = (), require_tag: bool = False,
                  media: bool = False) -> int:
        """Create a forum channel (type 15; a media channel, type 16, if ``media``) with these tags; return its id."""
        guild = self.guilds[guild_id]
        cid = int(p.snowflake())
        available = [p.forum_tag(p.snowflake(), n) for n in tags]
        self.channels[cid] = p.forum_channel(cid, guild_id, name, position=len(guild.channel_ids), tags=available,
                                             flags=p.FORUM_REQUIRE_TAG if require_tag else 0)
        if media:
            self.channels[cid]["type"] = p.CHANNEL_MEDIA
        guild.channel_ids.append(cid)
        return cid

    def deny_tag_edits(self, forum_id: int) -> None:
        """Take Manage Channels away from the bot in a forum: editing its tags gets 403 code 50013."""
        self.tag_edits_denied.add(forum_id)

    def forum_tag_names(self, forum_id: int) -> list[str]:
        """The forum's tag names, in order."""
        return [t["name"] for t in self.channels[forum_id]["available_tags"]]

    def posts(self, forum_id: int) -> list[Payload]:
        """The forum's posts (thread payloads), oldest first."""
        return [self.channels[t] for t in self.posts_of.get(forum_id, [])]

    def post_tags(self, thread_id: int) -> list[str]:
        """The names of the tags a post carries, in order."""
        thread = self.channels[thread_id]
        names = {t["id"]: t["name"] for t in self.channels[int(thread["parent_id"])]["available_tags"]}
        return [names[t] for t in thread["applied_tags"]]

    def post_messages(self, thread_id: int) -> list[Payload]:
        """A post's messages, the starter first, then the replies."""
        return list(self.messages.get(thread_id, []))

    def archive_thread(self, thread_id: int, *, locked: bool = False) -> None:
        """Archive a post (as Discord does after its auto-archive duration); ``locked``: only moderators reopen it."""
        meta = self.channels[thread_id]["thread_metadata"]
        meta.update(archived=True, locked=locked, archive_timestamp=p.now_iso())

    # ------------------------------------------------------------------ helpers for FakeDiscord

    def _threads_of_guild(self, guild_id: int, *, archived: bool | None = False) -> list[Payload]:
        threads = [self.channels[t] for ids in self.posts_of.values() for t in ids
                   if t not in self.deleted_channels and self.channels[t]["guild_id"] == str(guild_id)]
        return [t for t in threads if archived is None or t["thread_metadata"]["archived"] is archived]

    def _is_thread(self, channel_id: int) -> bool:
        return self.channels.get(channel_id, {}).get("type") == p.CHANNEL_PUBLIC_THREAD

    def _before_message(self, channel_id: int) -> web.Response | None:
        """Refuse a message where Discord would (a forum itself, a locked post); reopen an archived post."""
        channel = self.channels.get(channel_id, {})
        if channel.get("type") == p.CHANNEL_FORUM:
            return _error(400, p.NON_TEXT_CHANNEL)
        if channel.get("type") == p.CHANNEL_PUBLIC_THREAD:
            meta = channel["thread_metadata"]
            if meta["locked"]:
                return _error(403, p.THREAD_LOCKED)
            meta["archived"] = False
        return None

    def _after_message(self, channel_id: int, message: Payload) -> None:
        """Count a reply in its post."""
        if self._is_thread(channel_id):
            thread = self.channels[channel_id]
            thread["message_count"] += 1
            thread["total_message_sent"] += 1
            thread["last_message_id"] = message["id"]
            message["position"] = thread["total_message_sent"]

    async def _push(self, event: str, data: Payload) -> None:
        """Push a gateway event if the bot is connected (a REST-only test has no gateway)."""
        if self.active_connection is not None:  # type: ignore[attr-defined]  # FakeDiscord's
            await self.dispatch(event, data)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ REST handlers

    async def _start_thread(self, request: web.Request) -> web.Response:
        from tests.fakediscord.server import JSON_BODY, json_response

        forum_id = int(request.match_info["channel_id"])
        forum = self.channels[forum_id]
        body: Payload = request[JSON_BODY] or {}
        if forum["type"] != p.CHANNEL_FORUM or "message" not in body:
            return _error(400, p.WRONG_CHANNEL_TYPE)  # threads from messages are not faked
        problem = self._check_post(forum, body)
        if problem is not None:
            return problem
        thread_id = int(p.snowflake())
        thread = p.thread_channel(thread_id, forum["guild_id"], forum_id, self.app_id, body["name"],
                                  applied_tags=body.get("applied_tags") or [],
                                  auto_archive_duration=int(body.get("auto_archive_duration") or 4320))
        self.channels[thread_id] = thread
        self.posts_of[forum_id].append(thread_id)
        forum["last_message_id"] = str(thread_id)
        starter = self._new_message(thread_id, body["message"])  # type: ignore[attr-defined]
        self.messages_by_id.pop(int(starter["id"]), None)
        starter["id"] = str(thread_id)  # in a forum, the starter message's id is the post's
        self.messages_by_id[thread_id] = starter
        self.messages[thread_id].append(starter)
        await self._push("THREAD_CREATE", {**thread, "newly_created": True,
                                           "member": p.thread_member(thread_id, self.app_id)})
        return json_response({**thread, "message": starter, "member": p.thread_member(thread_id, self.app_id)},
                             status=201)

    def _check_post(self, forum: Payload, body: Payload) -> web.Response | None:
        """Discord's checks on a new post: title, archive duration, starter message, tags."""
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= TITLE_CHARS:
            return _invalid("name: must be between 1 and 100 in length")
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in p.ARCHIVE_DURATIONS:
            return _invalid("auto_archive_duration: value must be one of (60, 1440, 4320, 10080)")
        message = body["message"] or {}
        if not (message.get("content") or message.get("embeds") or message.get("components")):
            return _error(400, p.EMPTY_MESSAGE)
        return self._check_tags(forum, body.get("applied_tags") or [], new_post=True)

    def _check_tags(self, forum: Payload, tag_ids: list[Any], *, new_post: bool = False) -> web.Response | None:
        known = {t["id"] for t in forum["available_tags"]}
        if len(tag_ids) > MAX_POST_TAGS:
            return _invalid("applied_tags: must be 5 or fewer in length")
        if any(str(t) not in known for t in tag_ids):
            return _invalid("applied_tags: unknown tag")
        if new_post and not tag_ids and forum["flags"] & p.FORUM_REQUIRE_TAG:
            return _error(400, p.TAG_REQUIRED)
        return None

    async def _edit_channel(self, request: web.Request) -> web.Response:
        from tests.fakediscord.server import JSON_BODY, json_response

        cid = int(request.match_info["channel_id"])
        channel = self.channels[cid]
        body: Payload = request[JSON_BODY] or {}
        if channel["type"] == p.CHANNEL_FORUM and "available_tags" in body:
            if cid in self.tag_edits_denied:
                return _error(403, p.MISSING_PERMISSIONS)
            problem = self._replace_tags(cid, body["available_tags"])
            if problem is not None:
                return problem
        if channel["type"] == p.CHANNEL_PUBLIC_THREAD:
            problem = self._edit_thread(channel, body)
            if problem is not None:
                return problem
        for key in ("name", "topic"):
            if key in body:
                channel[key] = body[key]
        event = "THREAD_UPDATE" if channel["type"] == p.CHANNEL_PUBLIC_THREAD else "CHANNEL_UPDATE"
        await self._push(event, channel)
        return json_response(channel)

    def _replace_tags(self, forum_id: int, tags: list[Payload]) -> web.Response | None:
        """Apply a forum's new tag list: create tags without id, delete omitted ones (off every post too)."""
        if len(tags) > MAX_FORUM_TAGS:
            return _invalid("available_tags: must be 20 or fewer in length")
        if any(not 1 <= len(str(t.get("name") or "")) <= TAG_NAME_CHARS for t in tags):
            return _invalid("available_tags.name: must be between 1 and 20 in length")
        forum = self.channels[forum_id]
        known = {t["id"] for t in forum["available_tags"]}
        new = []
        for tag in tags:
            tag_id = str(tag["id"]) if tag.get("id") is not None and str(tag["id"]) in known else p.snowflake()
            new.append({**p.forum_tag(tag_id, str(tag["name"]), moderated=bool(tag.get("moderated"))),
                        "emoji_id": tag.get("emoji_id"), "emoji_name": tag.get("emoji_name")})
        forum["available_tags"] = new
        kept = {t["id"] for t in new}
        for thread in self.posts(forum_id):
            thread["applied_tags"] = [t for t in thread["applied_tags"] if t in kept]
        return None

    def _edit_thread(self, thread: Payload, body: Payload) -> web.Response | None:
        if "applied_tags" in body:
            tags = [str(t) for t in body["applied_tags"] or []]
            problem = self._check_tags(self.channels[int(thread["parent_id"])], tags)
            if problem is not None:
                return problem
            thread["applied_tags"] = tags
        meta = thread["thread_metadata"]
        for key in ("archived", "locked", "auto_archive_duration"):
            if key in body:
                meta[key] = body[key]
        return None

    async def _active_threads(self, request: web.Request) -> web.Response:
        from tests.fakediscord.server import json_response

        guild = self._guild_or_404(request)  # type: ignore[attr-defined]
        if isinstance(guild, web.Response):
            return guild
        threads = self._threads_of_guild(guild.id)
        members = [p.thread_member(t["id"], self.app_id) for t in threads if t["owner_id"] == str(self.app_id)]
        return json_response({"threads": threads, "members": members})

    async def _archived_threads(self, request: web.Request) -> web.Response:
        from tests.fakediscord.server import json_response

        forum_id = int(request.match_info["channel_id"])
        limit = int(request.query.get("limit", "50"))
        before = request.query.get("before")
        archived = [t for t in self.posts(forum_id) if t["thread_metadata"]["archived"]
                    and (before is None or t["thread_metadata"]["archive_timestamp"] < before)]
        archived.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
        return json_response({"threads": archived[:limit], "members": [], "has_more": len(archived) > limit})

    def _add_forum_routes(self, router: web.UrlDispatcher, prefix: str) -> None:
        router.add_post(prefix + "/channels/{channel_id}/threads", self._start_thread)
        router.add_patch(prefix + "/channels/{channel_id}", self._edit_channel)
        router.add_get(prefix + "/channels/{channel_id}/threads/archived/public", self._archived_threads)
        router.add_get(prefix + "/guilds/{guild_id}/threads/active", self._active_threads)
