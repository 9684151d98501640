"""Builders for Discord API payloads, shaped like what discord.py 2.7.1 actually reads.

Every builder returns a plain ``dict`` (JSON-ready). Snowflakes are strings, as on the wire,
except where Discord itself sends ints. Keep these realistic: discord.py reads several keys
unconditionally (``member.flags``, ``attachment_size_limit``, ``message.timestamp``…) and a
missing one shows up as a ``KeyError`` deep inside the library, usually in a background task.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

Payload = dict[str, Any]

# --- permission bits (https://discord.com/developers/docs/topics/permissions) -------------------
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
#: What @everyone gets in a fresh guild, near enough for tests.
DEFAULT_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
ALL_PERMISSIONS = (1 << 53) - 1

SEND_MESSAGES_IN_THREADS = 1 << 38

# --- channel types and flags ---------------------------------------------------------------------
CHANNEL_TEXT = 0
CHANNEL_DM = 1
CHANNEL_PUBLIC_THREAD = 11
CHANNEL_FORUM = 15
CHANNEL_MEDIA = 16  # a forum whose posts need a picture; discord.py's ForumChannel stands for both
FORUM_REQUIRE_TAG = 1 << 4  # channel flag: a post needs at least one tag
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)  # minutes

# --- well-known JSON error codes -----------------------------------------------------------------
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_INTERACTION = 10062
MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
EMPTY_MESSAGE = 50006
NON_TEXT_CHANNEL = 50008
WRONG_CHANNEL_TYPE = 50024
INVALID_FORM_BODY = 50035
TAG_REQUIRED = 40067
THREAD_LOCKED = 160005

ERROR_MESSAGES: dict[int, str] = {
    UNKNOWN_CHANNEL: "Unknown Channel",
    UNKNOWN_MESSAGE: "Unknown Message",
    UNKNOWN_INTERACTION: "Unknown interaction",
    MISSING_ACCESS: "Missing Access",
    CANNOT_DM: "Cannot send messages to this user",
    MISSING_PERMISSIONS: "Missing Permissions",
    EMPTY_MESSAGE: "Cannot send an empty message",
    NON_TEXT_CHANNEL: "Cannot send messages in a non-text channel",
    WRONG_CHANNEL_TYPE: "Cannot execute action on this channel type",
    INVALID_FORM_BODY: "Invalid Form Body",
    TAG_REQUIRED: "A tag is required to create a forum post in this channel",
    THREAD_LOCKED: "Thread is locked",
}

# --- option / command types ----------------------------------------------------------------------
OPT_SUB_COMMAND = 1
OPT_SUB_COMMAND_GROUP = 2
OPT_STRING = 3
OPT_INTEGER = 4
OPT_BOOLEAN = 5
OPT_USER = 6
OPT_CHANNEL = 7
OPT_ROLE = 8
OPT_NUMBER = 10

INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4

EPHEMERAL = 1 << 6

_snowflakes = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> str:
    """Return a fresh, unique, increasing snowflake id (as a string, like the API)."""
    return str(next(_snowflakes))


def now_iso() -> str:
    """Return the current UTC time as the ISO-8601 string Discord uses."""
    return datetime.now(UTC).isoformat()


def error_body(code: int, message: str | None = None) -> Payload:
    """Build a JSON error body: discord.py maps it to ``HTTPException.code`` / ``.text``."""
    return {"message": message or ERROR_MESSAGES.get(code, "Error"), "code": code}


def rate_limit_body(retry_after: float, *, is_global: bool = False) -> Payload:
    """Build a 429 body; discord.py sleeps ``retry_after`` seconds and retries (needs a ``Via`` header too)."""
    return {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}


def user(user_id: int | str, username: str, *, bot: bool = False, global_name: str | None = None) -> Payload:
    """Build a user object (``id``, ``username``, ``discriminator`` and ``avatar`` are read unconditionally)."""
    return {
        "id": str(user_id),
        "username": username,
        "global_name": global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def application(app_id: int | str, owner: Payload, *, name: str = "Mercato") -> Payload:
    """Build the ``GET /oauth2/applications/@me`` body."""
    return {
        "id": str(app_id),
        "name": name,
        "description": "Football transfer rumours",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "verify_key": "0" * 64,
        "flags": 0,
        "team": None,
    }


def role(role_id: int | str, name: str, *, permissions: int = 0, position: int = 0) -> Payload:
    """Build a role object; ``permissions`` is a stringified bitfield as on the wire."""
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def text_channel(channel_id: int | str, guild_id: int | str, name: str, *, position: int = 0) -> Payload:
    """Build a guild text channel (type 0)."""
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def forum_channel(
    channel_id: int | str, guild_id: int | str, name: str, *, position: int = 0, tags: list[Payload] | None = None,
    flags: int = 0,
) -> Payload:
    """Build a guild forum channel (type 15); ``last_message_id`` is the id of its newest post."""
    return {
        **text_channel(channel_id, guild_id, name, position=position),
        "type": CHANNEL_FORUM,
        "flags": flags,
        "available_tags": list(tags or []),
        "default_reaction_emoji": None,
        "default_thread_rate_limit_per_user": 0,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "default_auto_archive_duration": 4320,
        "template": "",
    }


def forum_tag(tag_id: int | str, name: str, *, moderated: bool = False) -> Payload:
    """Build a forum tag (``emoji_name`` is read unconditionally by discord.py)."""
    return {"id": str(tag_id), "name": name, "moderated": moderated, "emoji_id": None, "emoji_name": None}


def thread_channel(
    thread_id: int | str, guild_id: int | str, parent_id: int | str, owner_id: int | str, name: str, *,
    applied_tags: Iterable[int | str] = (), auto_archive_duration: int = 4320,
) -> Payload:
    """Build a public thread (type 11), as a forum post is: its id is also its starter message's."""
    moment = now_iso()
    return {
        "id": str(thread_id),
        "type": CHANNEL_PUBLIC_THREAD,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": str(thread_id),
        "message_count": 0,  # not counting the starter message
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "total_message_sent": 0,
        "applied_tags": [str(t) for t in applied_tags],
        "thread_metadata": {
            "archived": False,
            "archive_timestamp": moment,
            "auto_archive_duration": auto_archive_duration,
            "locked": False,
            "create_timestamp": moment,
        },
    }


def thread_member(thread_id: int | str, user_id: int | str) -> Payload:
    """Build a thread member (the bot in a post it created)."""
    return {"id": str(thread_id), "user_id": str(user_id), "join_timestamp": now_iso(), "flags": 0}


def dm_channel(channel_id: int | str, recipient: Payload) -> Payload:
    """Build a DM channel (type 1) with one recipient."""
    return {"id": str(channel_id), "type": 1, "recipients": [recipient], "last_message_id": None}


def member(user_payload: Payload, *, roles: Iterable[int | str] = (), permissions: int | None = None) -> Payload:
    """Build a guild member; ``permissions`` is included only for interaction payloads (as Discord does)."""
    data: Payload = {
        "user": user_payload,
        "roles": [str(r) for r in roles],
        "nick": None,
        "avatar": None,
        "joined_at": now_iso(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def guild(
    guild_id: int | str,
    name: str,
    *,
    owner_id: int | str,
    roles: list[Payload],
    channels: list[Payload] | None = None,
    members: list[Payload] | None = None,
    system_channel_id: int | str | None = None,
    threads: list[Payload] | None = None,
) -> Payload:
    """Build a guild object (the GUILD_CREATE shape when ``channels``/``members`` are given)."""
    data: Payload = {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "system_channel_id": None if system_channel_id is None else str(system_channel_id),
        "preferred_locale": "en-US",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "nsfw_level": 0,
        "afk_timeout": 300,
        "afk_channel_id": None,
    }
    if channels is not None:
        data.update(
            channels=channels,
            members=members or [],
            member_count=len(members or []),
            large=False,
            unavailable=False,
            joined_at=now_iso(),
            threads=list(threads or []),
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
        )
    return data


def attachment(attachment_id: int | str, channel_id: int | str, filename: str, content_type: str, size: int) -> Payload:
    """An attachment object, as Discord returns it on a message with an uploaded file."""
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{filename}"
    return {"id": str(attachment_id), "filename": filename, "content_type": content_type, "size": size, "url": url,
            "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net")}


def message(
    message_id: int | str,
    channel_id: int | str,
    author: Payload,
    body: Mapping[str, Any],
    *,
    guild_id: int | str | None = None,
    webhook_id: int | str | None = None,
) -> Payload:
    """Build a message object from a create/edit request body (content, embeds, components, flags…)."""
    data: Payload = {
        "id": str(message_id),
        "type": 0,
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "embeds": list(body.get("embeds") or []),
        "components": list(body.get("components") or []),
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": bool(body.get("tts", False)),
        "flags": int(body.get("flags") or 0),
        "timestamp": now_iso(),
        "edited_timestamp": None,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    return data


def interaction_base(
    kind: int,
    *,
    application_id: int | str,
    user_payload: Payload,
    guild_id: int | str | None,
    channel: Payload,
    permissions: int,
    roles: Iterable[int | str] = (),
    app_permissions: int = ALL_PERMISSIONS,
    locale: str = "en-US",
) -> Payload:
    """Build the fields common to every interaction type, guild or DM."""
    data: Payload = {
        "id": snowflake(),
        "type": kind,
        "token": f"itoken-{snowflake()}",
        "version": 1,
        "application_id": str(application_id),
        "channel_id": channel["id"],
        "channel": channel,
        "app_permissions": str(app_permissions),
        "attachment_size_limit": 10 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {},
        "locale": locale,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        data["guild_locale"] = "en-US"
        data["context"] = 0
        data["member"] = member(user_payload, roles=roles, permissions=permissions)
    else:
        data["context"] = 1
        data["user"] = user_payload
    return data


def command_options(
    options: Mapping[str, Any] | None,
    schema: list[Payload] | None = None,
    *,
    focused: str | None = None,
) -> list[Payload]:
    """Turn ``{"name": value}`` into interaction options, typed from the synced ``schema`` when known.

    Without a schema the type is inferred from the Python value (str → 3, bool → 5, int → 4,
    float → 10). ``focused`` marks the option being autocompleted.
    """
    by_name = {o["name"]: o for o in schema or []}
    out: list[Payload] = []
    for name, value in (options or {}).items():
        kind = by_name.get(name, {}).get("type")
        if kind is None:
            if isinstance(value, bool):
                kind = OPT_BOOLEAN
            elif isinstance(value, int):
                kind = OPT_INTEGER
            elif isinstance(value, float):
                kind = OPT_NUMBER
            else:
                kind = OPT_STRING
        opt: Payload = {"name": name, "type": kind, "value": str(value) if kind in (6, 7, 8) else value}
        if name == focused:
            opt["focused"] = True
        out.append(opt)
    return out


def command_data(
    command: str,
    options: Mapping[str, Any] | None = None,
    *,
    subcommand: str | None = None,
    schema: Payload | None = None,
    focused: str | None = None,
    guild_id: int | str | None = None,
) -> Payload:
    """Build ``interaction.data`` for a chat-input command, nesting ``subcommand`` ("sub" or "group sub")."""
    path = subcommand.split() if subcommand else []
    level_schema = (schema or {}).get("options") or []
    kinds: list[tuple[str, int]] = []
    for depth, part in enumerate(path):
        kind = OPT_SUB_COMMAND_GROUP if depth < len(path) - 1 else OPT_SUB_COMMAND
        kinds.append((part, kind))
        level_schema = next((o.get("options") or [] for o in level_schema if o["name"] == part), [])
    leaf = command_options(options, level_schema, focused=focused)
    for part, kind in reversed(kinds):
        leaf = [{"name": part, "type": kind, "options": leaf}]
    data: Payload = {
        "id": (schema or {}).get("id") or snowflake(),
        "name": command,
        "type": 1,
        "options": leaf,
    }
    guild_id = guild_id or (schema or {}).get("guild_id")  # set for guild-scoped commands, as Discord does
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data
