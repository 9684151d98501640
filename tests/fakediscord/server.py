"""An in-process fake Discord (REST ``/api/v10`` + gateway websocket) for end-to-end tests.

The real, unmodified discord.py client talks to it once two class attributes are patched
(``discord.http.Route.BASE`` and ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``; the
``fake_discord`` fixture in ``tests/e2e/conftest.py`` does it). See
``/work/shared/notes/discord-fake.md`` for why each detail below exists; the rules it enforces:

* every JSON reply has ``Content-Type: application/json`` exactly (discord.py compares strings);
* 429s carry a ``Via`` header and a JSON ``retry_after`` (otherwise discord.py does not retry);
* interaction callbacks answer 200 + JSON ``{"interaction": {...}}`` (discord.py sends ``with_response=1``);
* gateway frames are TEXT (so no zlib, whatever the client asked for).

Every REST request is recorded (:class:`Recorded`), every gateway frame too (:class:`GatewayFrame`),
and :meth:`FakeDiscord.wait_for` waits on an :class:`asyncio.Condition` that is notified after each.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from aiohttp import WSMsgType, web

from tests.fakediscord import payloads as p
from tests.fakediscord.forum import ForumFake
from tests.fakediscord.payloads import Payload

API_PREFIX: Final = "/api/v10"
NONCE_WINDOW_S: Final = 300.0  # Discord: a repeated nonce is answered with the first message "for a few minutes"
NONCE_CHARS: Final = 25
GATEWAY_PATH: Final = "/gateway"
RESUME_GATEWAY_PATH: Final = "/resume-gateway"

# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME, OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)

T = TypeVar("T")

#: Where the middleware stores the parsed JSON body for the handlers.
JSON_BODY: Final[web.RequestKey[Any]] = web.RequestKey("fake_discord_json", object)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (``files[n]``): what an attachment carried."""

    field: str
    filename: str
    content_type: str
    data: bytes


#: Where the middleware stores the uploaded files (multipart ``files[n]`` parts) for the handlers.
FILES: Final[web.RequestKey[tuple[UploadedFile, ...]]] = web.RequestKey("fake_discord_files", tuple)

_PLACEHOLDER = re.compile(r"\{[^}]+\}")


class _Default:
    """Sentinel type: "use the fake's default guild/channel/user"."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Final = _Default()


def normalise_route(route: str) -> str:
    """Normalise a route template for matching: drop ``/api/v10`` and rename every ``{param}`` to ``{}``.

    So ``"/channels/{channel_id}/messages"``, ``"/channels/{id}/messages"`` and
    ``"/api/v10/channels/{channel_id}/messages"`` all name the same route.
    """
    if route.startswith(API_PREFIX):
        route = route[len(API_PREFIX) :]
    return _PLACEHOLDER.sub("{}", route)


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """Build a JSON reply with ``Content-Type: application/json`` exactly (no charset; pitfall 1)."""
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)


def error_response(status: int, code: int, message: str | None = None) -> web.Response:
    """Build a Discord JSON error reply (``{"message", "code"}``)."""
    return json_response(p.error_body(code, message), status=status)


@dataclass(frozen=True)
class Recorded:
    """One REST request the fake received, recorded after it was answered."""

    method: str
    route: str  # template relative to /api/v10, e.g. "/channels/{channel_id}/messages"
    path: str
    match: dict[str, str]
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int
    time: float
    files: tuple[UploadedFile, ...] = ()  # attachments uploaded with the request

    def matches(self, method: str, route: str) -> bool:
        """Say whether this request was ``method`` on ``route`` (placeholders' names don't matter)."""
        return self.method == method.upper() and normalise_route(self.route) == normalise_route(route)


@dataclass(frozen=True)
class Fault:
    """An injected reply returned instead of the real handler's."""

    status: int
    body: Any
    headers: dict[str, str]


@dataclass(frozen=True)
class GatewayFrame:
    """One gateway frame, ``direction`` "in" (client → fake) or "out" (fake → client)."""

    connection: int
    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any


@dataclass
class GatewayConnection:
    """A gateway websocket the client opened."""

    index: int
    path: str
    query: dict[str, str]
    ws: web.WebSocketResponse
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session_id: str | None = None  # set by IDENTIFY or a successful RESUME
    closed: bool = False


@dataclass
class GuildState:
    """A guild: its roles, channels and members (user id → role ids)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Payload]
    channel_ids: list[int]
    members: dict[int, list[int]]
    system_channel_id: int | None = None
    joined: bool = True  # whether the bot is in it (READY lists only joined guilds)


@dataclass
class InteractionRecord:
    """An interaction sent to the bot, and everything the bot answered to it."""

    payload: Payload
    callbacks: list[Payload] = field(default_factory=list)  # bodies POSTed to /callback
    original: Payload | None = None  # the @original message, as last created/edited
    followups: list[Payload] = field(default_factory=list)  # messages created by POST /webhooks/{app}/{token}
    original_deleted: bool = False

    @property
    def id(self) -> str:
        """The interaction id."""
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        """The interaction token (also the followup webhook token)."""
        return str(self.payload["token"])

    @property
    def callback(self) -> Payload | None:
        """The first (normally the only) callback body, ``{"type": …, "data": {…}}``, or ``None``."""
        return self.callbacks[0] if self.callbacks else None

    @property
    def callback_type(self) -> int | None:
        """The callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete, 9 modal."""
        return None if self.callback is None else int(self.callback["type"])

    @property
    def data(self) -> Payload:
        """The callback's ``data`` (empty if none)."""
        return dict((self.callback or {}).get("data") or {})

    @property
    def message(self) -> Payload | None:
        """The visible reply: the @original message (after edits), if any."""
        return self.original

    @property
    def content(self) -> str:
        """The reply's text: @original's content (covers defer-then-edit), else the callback's."""
        if self.original is not None and self.original.get("content"):
            return str(self.original["content"])
        return str(self.data.get("content") or "")

    @property
    def flags(self) -> int:
        """The callback's message flags."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """Whether the callback asked for an ephemeral reply (flag 64)."""
        return bool(self.flags & p.EPHEMERAL)

    @property
    def choices(self) -> list[Payload]:
        """The autocomplete choices (callback type 8)."""
        return list(self.data.get("choices") or [])

    @property
    def messages(self) -> list[Payload]:
        """Every message the interaction produced: @original (if any) then the followups."""
        return ([self.original] if self.original is not None else []) + self.followups


class FakeDiscord(ForumFake):
    """A fake Discord API and gateway on ``127.0.0.1:<random port>``.

    It is seeded with an application/bot user, one guild ("Mercato FC") with two text channels,
    an @everyone role, a "Moderator" role with Manage Server, and three members: the owner,
    an admin (Moderator) and a plain member. Use the ``add_*`` methods for more.
    """

    def __init__(self, *, token: str = "fake-token", heartbeat_interval_ms: int = 41_250) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        #: Answer op 1 with op 11; switch off to test zombie-connection handling.
        self.ack_heartbeats = True

        # --- recording
        self.requests: list[Recorded] = []
        self.frames: list[GatewayFrame] = []
        self.connections: list[GatewayConnection] = []
        self._faults: dict[tuple[str, str], deque[Fault]] = defaultdict(deque)
        self._cond = asyncio.Condition()

        # --- state
        self.users: dict[int, Payload] = {}
        self.guilds: dict[int, GuildState] = {}
        self.channels: dict[int, Payload] = {}
        self.dm_channels: dict[int, int] = {}  # user id → DM channel id
        self.messages: dict[int, list[Payload]] = defaultdict(list)  # channel id → messages sent by REST
        self.messages_by_id: dict[int, Payload] = {}
        self.global_commands: list[Payload] = []
        self.guild_commands: dict[int, list[Payload]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self._interactions_by_token: dict[str, InteractionRecord] = {}
        self.deleted_channels: set[int] = set()
        self.no_access_channels: set[int] = set()
        self.closed_dms: set[int] = set()  # user ids whose DMs are closed to the bot
        self.failing_channels: dict[int, Fault] = {}  # channel id → the reply every request there gets
        self.session_id: str | None = None
        self.seq = 0
        self._nonces: dict[str, tuple[Payload, float]] = {}  # enforce_nonce: nonce → (message, when)
        self._holds: dict[tuple[str, str], asyncio.Event] = {}
        self._init_forums()  # forum channels, posts and tags (tests/fakediscord/forum.py)

        self._runner: web.AppRunner | None = None
        self.port = 0
        self._seed()

    # ------------------------------------------------------------------ seed & state helpers

    def _seed(self) -> None:
        """Create the application, the bot user and the default guild with its members."""
        self.app_id = int(p.snowflake())
        self.bot_user = self.add_user("Mercato", bot=True, user_id=self.app_id)
        self.owner_id = int(self.add_user("owner")["id"])
        self.application = p.application(self.app_id, self.users[self.owner_id])
        self.admin_id = int(self.add_user("admin")["id"])
        self.member_id = int(self.add_user("fan")["id"])
        self.guild_id = self.add_guild("Mercato FC", owner_id=self.owner_id)
        self.admin_role_id = self.add_role(self.guild_id, "Moderator", permissions=p.MANAGE_GUILD, position=1)
        self.channel_id = self.add_channel(self.guild_id, "general", system=True)
        self.second_channel_id = self.add_channel(self.guild_id, "transfers")
        self.add_member(self.guild_id, self.admin_id, roles=[self.admin_role_id])
        self.add_member(self.guild_id, self.member_id)

    def add_user(self, username: str, *, bot: bool = False, user_id: int | None = None) -> Payload:
        """Create a user and return its payload."""
        uid = user_id or int(p.snowflake())
        self.users[uid] = p.user(uid, username, bot=bot)
        return self.users[uid]

    def add_guild(self, name: str, *, owner_id: int, joined: bool = True) -> int:
        """Create a guild (with its @everyone role, whose id is the guild id) and return its id.

        With ``joined=False`` the bot is not in it yet; :meth:`join_guild` adds it later.
        """
        gid = int(p.snowflake())
        everyone = p.role(gid, "@everyone", permissions=p.DEFAULT_PERMISSIONS)
        self.guilds[gid] = GuildState(gid, name, owner_id, {gid: everyone}, [], {}, joined=joined)
        self.add_member(gid, owner_id)
        if joined:
            self.add_member(gid, self.app_id)
        return gid

    def add_role(self, guild_id: int, name: str, *, permissions: int = 0, position: int = 1) -> int:
        """Create a role in a guild and return its id."""
        rid = int(p.snowflake())
        self.guilds[guild_id].roles[rid] = p.role(rid, name, permissions=permissions, position=position)
        return rid

    def add_channel(self, guild_id: int, name: str, *, system: bool = False) -> int:
        """Create a text channel in a guild (optionally its system channel) and return its id."""
        guild = self.guilds[guild_id]
        cid = int(p.snowflake())
        self.channels[cid] = p.text_channel(cid, guild_id, name, position=len(guild.channel_ids))
        guild.channel_ids.append(cid)
        if system:
            guild.system_channel_id = cid
        return cid

    def add_member(self, guild_id: int, user_id: int, *, roles: Iterable[int] = ()) -> None:
        """Make a user a member of a guild with the given role ids."""
        self.guilds[guild_id].members[user_id] = list(roles)

    def permissions(self, guild_id: int, user_id: int) -> int:
        """Compute a member's guild-level permissions (owner and Administrator get everything)."""
        guild = self.guilds[guild_id]
        if user_id == guild.owner_id:
            return p.ALL_PERMISSIONS
        perms = int(guild.roles[guild_id]["permissions"])
        for rid in guild.members.get(user_id, []):
            perms |= int(guild.roles[rid]["permissions"])
        return p.ALL_PERMISSIONS if perms & p.ADMINISTRATOR else perms

    def member_payload(self, guild_id: int, user_id: int, *, with_permissions: bool = False) -> Payload:
        """Build the member payload of ``user_id`` in ``guild_id``."""
        perms = self.permissions(guild_id, user_id) if with_permissions else None
        return p.member(self.users[user_id], roles=self.guilds[guild_id].members[user_id], permissions=perms)

    def guild_payload(self, guild_id: int, *, full: bool = False) -> Payload:
        """Build a guild payload; ``full`` adds channels and members (the GUILD_CREATE shape)."""
        guild = self.guilds[guild_id]
        return p.guild(
            guild.id,
            guild.name,
            owner_id=guild.owner_id,
            roles=list(guild.roles.values()),
            channels=[self.channels[c] for c in guild.channel_ids if c not in self.deleted_channels] if full else None,
            members=[self.member_payload(guild_id, u) for u in guild.members] if full else None,
            system_channel_id=guild.system_channel_id,
            threads=self._threads_of_guild(guild_id) if full else None,
        )

    def delete_channel(self, channel_id: int) -> None:
        """Make the channel unknown: every request on it gets 404 code 10003."""
        self.deleted_channels.add(channel_id)

    def deny_access(self, channel_id: int) -> None:
        """Hide the channel from the bot: every request on it gets 403 code 50001."""
        self.no_access_channels.add(channel_id)

    def close_dms(self, user_id: int) -> None:
        """Make DMs to this user fail with 403 code 50007 (Cannot send messages to this user)."""
        self.closed_dms.add(user_id)

    def fail_channel(self, channel_id: int, status: int = 500, *, retry_after: float = 1.0) -> None:
        """Answer every request on this channel with ``status`` until :meth:`heal_channel` (an outage).

        A 429 carries ``retry_after`` and a ``Via`` header (so discord.py waits and retries); other
        statuses carry a ``{"message", "code"}`` body. discord.py retries 500/502/504 by itself, after
        1, 3, 5, 7 s; a 503 it does not retry.
        """
        if status == 429:
            self.failing_channels[channel_id] = Fault(status, p.rate_limit_body(retry_after), {"Via": "1.1 google"})
        else:
            self.failing_channels[channel_id] = Fault(status, p.error_body(0, f"{status}: fake outage"), {})

    def heal_channel(self, channel_id: int) -> None:
        """End the outage :meth:`fail_channel` started."""
        self.failing_channels.pop(channel_id, None)

    def channel_messages(self, channel_id: int) -> list[Payload]:
        """Messages the bot sent to a channel (or DM channel) through ``POST /channels/{id}/messages``."""
        return list(self.messages.get(channel_id, []))

    def dm_messages(self, user_id: int) -> list[Payload]:
        """Messages the bot sent to a user's DM channel."""
        cid = self.dm_channels.get(user_id)
        return [] if cid is None else self.channel_messages(cid)

    def find_command(self, name: str, guild_id: int | None = None) -> Payload | None:
        """Return the synced command ``name`` (the guild's first, then global), or ``None``."""
        candidates = (self.guild_commands.get(guild_id, []) if guild_id else []) + self.global_commands
        return next((c for c in candidates if c["name"] == name), None)

    # ------------------------------------------------------------------ faults, recording, waiting

    def inject_fault(
        self,
        method: str,
        route: str,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        *,
        via: bool = True,
    ) -> None:
        """Queue ``times`` faulty replies for ``method route`` (FIFO, consumed one per request).

        ``route`` is a template such as ``"/channels/{channel_id}/messages"`` (placeholder names and the
        ``/api/v10`` prefix are optional). A 429 gets ``{"retry_after": 0.01, ...}`` and a ``Via`` header
        unless given (``via=False`` drops the header: discord.py then treats it as a Cloudflare ban and
        does not retry). Other statuses get a ``{"message", "code"}`` body by default.
        """
        all_headers = dict(headers or {})
        if status == 429:
            if body is None:
                body = p.rate_limit_body(0.01)
            if via:
                all_headers.setdefault("Via", "1.1 google")
        elif body is None:
            body = p.error_body(0, f"{status}: fake fault")
        key = (method.upper(), normalise_route(route))
        for _ in range(times):
            self._faults[key].append(Fault(status, body, all_headers))

    def hold_answers(self, method: str, route: str) -> asyncio.Event:
        """Let ``method route`` requests take effect (and be recorded) but withhold the answers until the
        returned event is set: what a bot sees when it dies between Discord's change and its reply."""
        gate = self._holds.setdefault((method.upper(), normalise_route(route)), asyncio.Event())
        return gate

    def pending_faults(self, method: str, route: str) -> int:
        """Say how many injected faults for ``method route`` have not been consumed yet."""
        return len(self._faults.get((method.upper(), normalise_route(route)), ()))

    def calls(self, method: str, route: str) -> list[Recorded]:
        """Return the recorded requests for ``method route``, oldest first."""
        return [r for r in self.requests if r.matches(method, route)]

    def received_ops(self, op: int) -> list[GatewayFrame]:
        """Return the gateway frames with opcode ``op`` that the client sent."""
        return [f for f in self.frames if f.direction == "in" and f.op == op]

    async def notify(self) -> None:
        """Wake every :meth:`wait_for` so it re-checks its predicate (call after changing state by hand)."""
        async with self._cond:
            self._cond.notify_all()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy (re-checked after every request and gateway frame); return it."""
        async with self._cond:
            try:
                return await asyncio.wait_for(self._cond.wait_for(predicate), timeout)
            except TimeoutError:
                recent = [f"{r.method} {r.route} -> {r.status}" for r in self.requests[-8:]]
                message = f"fake Discord: condition not met within {timeout}s; last requests: {recent}"
                raise TimeoutError(message) from None

    async def wait_for_call(self, method: str, route: str, count: int = 1, timeout: float = 5.0) -> Recorded:
        """Wait until ``method route`` was requested ``count`` times; return the ``count``-th request."""
        await self.wait_for(lambda: len(self.calls(method, route)) >= count, timeout)
        return self.calls(method, route)[count - 1]

    # ------------------------------------------------------------------ interactions

    def _resolve(
        self, guild: int | _Default | None, channel: int | _Default | None, user: int | _Default
    ) -> tuple[int | None, int, int]:
        """Resolve the ``DEFAULT`` sentinels to the seeded guild/channel/member."""
        uid = self.member_id if isinstance(user, _Default) else int(user)
        gid = self.guild_id if isinstance(guild, _Default) else guild
        if gid is None:
            cid = self._dm_channel_for(uid)
        elif isinstance(channel, _Default) or channel is None:
            cid = self.channel_id if gid == self.guild_id else self.guilds[gid].channel_ids[0]
        else:
            cid = int(channel)
        return gid, cid, uid

    def _dm_channel_for(self, user_id: int) -> int:
        """Return (creating it if needed) the DM channel between the bot and ``user_id``."""
        if user_id not in self.dm_channels:
            cid = int(p.snowflake())
            self.channels[cid] = p.dm_channel(cid, self.users[user_id])
            self.dm_channels[user_id] = cid
        return self.dm_channels[user_id]

    def _interaction(
        self,
        kind: int,
        *,
        guild: int | _Default | None,
        channel: int | _Default | None,
        user: int | _Default,
        permissions: int | None,
        locale: str,
    ) -> Payload:
        """Build and register the common part of an interaction."""
        gid, cid, uid = self._resolve(guild, channel, user)
        perms = permissions
        if perms is None:
            perms = self.permissions(gid, uid) if gid is not None else p.ALL_PERMISSIONS
        payload = p.interaction_base(
            kind,
            application_id=self.app_id,
            user_payload=self.users[uid],
            guild_id=gid,
            channel=dict(self.channels[cid]),
            permissions=perms,
            roles=self.guilds[gid].members.get(uid, []) if gid is not None else (),
            locale=locale,
        )
        record = InteractionRecord(payload)
        self.interactions[record.id] = record
        self._interactions_by_token[record.token] = record
        return payload

    def _add_resolved(self, payload: Payload) -> None:
        """Fill ``data.resolved`` for user (6), channel (7) and role (8) options, as Discord does."""
        resolved: dict[str, dict[str, Payload]] = {}
        gid = int(payload["guild_id"]) if "guild_id" in payload else None
        invoker = int((payload.get("member") or payload)["user"]["id"]) if gid is not None else None

        def walk(options: list[Payload]) -> None:
            for opt in options:
                walk(opt.get("options") or [])
                if opt["type"] == p.OPT_USER:
                    uid = int(opt["value"])
                    resolved.setdefault("users", {})[str(uid)] = self.users[uid]
                    if gid is not None and uid in self.guilds[gid].members:
                        member = self.member_payload(gid, uid, with_permissions=True)
                        del member["user"]
                        resolved.setdefault("members", {})[str(uid)] = member
                elif opt["type"] == p.OPT_CHANNEL:
                    channel = dict(self.channels[int(opt["value"])])
                    perms = self.permissions(gid, invoker) if gid is not None and invoker else p.ALL_PERMISSIONS
                    channel["permissions"] = str(perms)
                    resolved.setdefault("channels", {})[channel["id"]] = channel
                elif opt["type"] == p.OPT_ROLE and gid is not None:
                    role_payload = self.guilds[gid].roles[int(opt["value"])]
                    resolved.setdefault("roles", {})[role_payload["id"]] = role_payload

        walk(payload["data"]["options"])
        if resolved:
            payload["data"]["resolved"] = resolved

    def make_slash_interaction(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: int | _Default | None = DEFAULT,
        channel: int | _Default | None = DEFAULT,
        user: int | _Default = DEFAULT,
        subcommand: str | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> Payload:
        """Build (and register) an INTERACTION_CREATE payload for ``/command [subcommand] options``.

        Defaults: the seeded guild, its ``general`` channel, and the plain member ``fake.member_id``.
        ``guild=None`` makes a DM interaction. ``subcommand`` is ``"sub"`` or ``"group sub"``.
        Option types come from the synced command when there is one, else from the Python values.
        ``permissions`` overrides the member's computed permissions (``member.permissions``).
        """
        gid = self.guild_id if isinstance(guild, _Default) else guild
        payload = self._interaction(
            p.INTERACTION_APPLICATION_COMMAND,
            guild=guild,
            channel=channel,
            user=user,
            permissions=permissions,
            locale=locale,
        )
        schema = self.find_command(command, gid)
        payload["data"] = p.command_data(command, options, subcommand=subcommand, schema=schema)
        self._add_resolved(payload)
        return payload

    def make_autocomplete_interaction(
        self,
        command: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        guild: int | _Default | None = DEFAULT,
        channel: int | _Default | None = DEFAULT,
        user: int | _Default = DEFAULT,
        subcommand: str | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> Payload:
        """Build (and register) an autocomplete interaction (type 4); ``focused`` names the option being typed."""
        gid = self.guild_id if isinstance(guild, _Default) else guild
        payload = self._interaction(
            p.INTERACTION_AUTOCOMPLETE,
            guild=guild,
            channel=channel,
            user=user,
            permissions=permissions,
            locale=locale,
        )
        schema = self.find_command(command, gid)
        payload["data"] = p.command_data(command, options, subcommand=subcommand, schema=schema, focused=focused)
        self._add_resolved(payload)
        return payload

    def make_component_interaction(
        self,
        custom_id: str,
        message: Payload | int | str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        guild: int | _Default | None = DEFAULT,
        channel: int | _Default | None = DEFAULT,
        user: int | _Default = DEFAULT,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> Payload:
        """Build (and register) a component interaction (type 3): a click on ``custom_id`` in ``message``.

        ``message`` is a message payload or the id of a message the fake knows (a channel message,
        or an interaction's @original/followup). ``component_type`` 2 is a button; 3 a string select
        (give ``values``).
        """
        msg = message if isinstance(message, dict) else self.messages_by_id[int(message)]
        if isinstance(channel, _Default) and not isinstance(guild, _Default) and guild is None:
            channel = None
        elif isinstance(channel, _Default):
            channel = int(msg["channel_id"])
        payload = self._interaction(
            p.INTERACTION_COMPONENT,
            guild=guild,
            channel=channel,
            user=user,
            permissions=permissions,
            locale=locale,
        )
        payload["message"] = msg
        payload["data"] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            payload["data"]["values"] = values
        return payload

    def interaction_response(self, interaction_id: str | int) -> InteractionRecord:
        """Return what the bot answered to an interaction: callback body, @original and followups."""
        return self.interactions[str(interaction_id)]

    async def send_interaction(self, payload: Payload) -> InteractionRecord:
        """Dispatch INTERACTION_CREATE with ``payload`` (registering it if needed); return its record."""
        record = self.interactions.get(str(payload["id"]))
        if record is None:
            record = self.interactions[str(payload["id"])] = InteractionRecord(payload)
            self._interactions_by_token[record.token] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def wait_for_response(
        self,
        interaction: str | int | Payload | InteractionRecord,
        *,
        followups: int = 0,
        edited: bool = False,
        timeout: float = 5.0,
    ) -> InteractionRecord:
        """Wait until the interaction got its callback (and ``followups`` followups; and an @original edit)."""
        if isinstance(interaction, InteractionRecord):
            iid = interaction.id
        elif isinstance(interaction, dict):
            iid = str(interaction["id"])
        else:
            iid = str(interaction)
        record = self.interactions[iid]

        def done() -> bool:
            if not record.callbacks or len(record.followups) < followups:
                return False
            return not edited or bool(record.original and record.original.get("edited_timestamp"))

        await self.wait_for(done, timeout)
        return record

    async def invoke(
        self, command: str, options: Mapping[str, Any] | None = None, *, timeout: float = 5.0, **kwargs: Any
    ) -> InteractionRecord:
        """Send a slash command (see :meth:`make_slash_interaction` for ``kwargs``) and wait for its callback."""
        payload = self.make_slash_interaction(command, options, **kwargs)
        await self.send_interaction(payload)
        return await self.wait_for_response(payload, timeout=timeout)

    # ------------------------------------------------------------------ gateway pushes

    @property
    def active_connection(self) -> GatewayConnection | None:
        """The newest open gateway connection that has identified or resumed."""
        for conn in reversed(self.connections):
            if not conn.closed and conn.session_id is not None:
                return conn
        return None

    async def _send(self, conn: GatewayConnection, payload: Payload) -> None:
        """Send one TEXT frame and record it."""
        async with conn.lock:
            await conn.ws.send_str(json.dumps(payload))
        self.frames.append(
            GatewayFrame(conn.index, "out", payload["op"], payload.get("t"), payload.get("s"), payload.get("d"))
        )

    async def dispatch(self, event: str, data: Any) -> None:
        """Push a DISPATCH event (op 0, next sequence number) on the active gateway connection."""
        conn = self.active_connection
        if conn is None:
            raise RuntimeError("fake Discord: no identified gateway connection to dispatch on")
        self.seq += 1
        await self._send(conn, {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data})
        await self.notify()

    async def send_op(self, op: int, d: Any = None) -> None:
        """Push a raw opcode (e.g. ``OP_RECONNECT``, or ``OP_INVALID_SESSION`` with ``d=False``)."""
        conn = self.active_connection
        if conn is None:
            raise RuntimeError("fake Discord: no identified gateway connection")
        await self._send(conn, {"op": op, "d": d, "s": None, "t": None})
        await self.notify()

    async def join_guild(self, guild_id: int) -> None:
        """Make the bot join ``guild_id`` (made with :meth:`add_guild`): push its GUILD_CREATE (→ ``on_guild_join``)."""
        self.guilds[guild_id].joined = True
        self.guilds[guild_id].members.setdefault(self.app_id, [])
        payload = self.guild_payload(guild_id, full=True)
        del payload["unavailable"]  # absent = a join; False = "became available" (discord.py: guild_available)
        await self.dispatch("GUILD_CREATE", payload)

    async def remove_guild(self, guild_id: int) -> None:
        """Kick the bot from ``guild_id``: push GUILD_DELETE without ``unavailable`` (→ ``on_guild_remove``)."""
        self.guilds[guild_id].joined = False
        self.guilds[guild_id].members.pop(self.app_id, None)
        await self.dispatch("GUILD_DELETE", {"id": str(guild_id)})

    async def request_reconnect(self) -> None:
        """Send RECONNECT (op 7): the client should reconnect to ``resume_gateway_url`` and RESUME."""
        await self.send_op(OP_RECONNECT)

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """The value for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY (a different path, so tests can see it was used)."""
        return f"ws://127.0.0.1:{self.port}{RESUME_GATEWAY_PATH}"

    def _build_app(self) -> web.Application:
        """Build the aiohttp application with every route."""
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        a = API_PREFIX
        hook = "/webhooks/{webhook_id}/{webhook_token}"
        r.add_get(a + "/users/@me", self._get_me)
        r.add_post(a + "/users/@me/channels", self._create_dm)
        r.add_get(a + "/users/{user_id}", self._get_user)
        r.add_get(a + "/oauth2/applications/@me", self._get_application)
        r.add_get(a + "/gateway", self._get_gateway)
        r.add_get(a + "/gateway/bot", self._get_gateway_bot)
        for path, handler in (
            ("/applications/{application_id}/commands", self._global_commands),
            ("/applications/{application_id}/guilds/{guild_id}/commands", self._guild_commands),
        ):
            r.add_put(a + path, handler)
            r.add_get(a + path, handler)
        r.add_post(a + "/interactions/{interaction_id}/{interaction_token}/callback", self._interaction_callback)
        r.add_post(a + hook, self._webhook_execute)
        for path in (hook + "/messages/@original", hook + "/messages/{message_id}"):
            r.add_get(a + path, self._webhook_message)
            r.add_patch(a + path, self._webhook_message)
            r.add_delete(a + path, self._webhook_message)
        r.add_get(a + "/channels/{channel_id}", self._get_channel)
        r.add_post(a + "/channels/{channel_id}/messages", self._create_message)
        r.add_get(a + "/channels/{channel_id}/messages/{message_id}", self._channel_message)
        r.add_patch(a + "/channels/{channel_id}/messages/{message_id}", self._channel_message)
        r.add_delete(a + "/channels/{channel_id}/messages/{message_id}", self._channel_message)
        r.add_get(a + "/guilds/{guild_id}", self._get_guild)
        r.add_get(a + "/guilds/{guild_id}/channels", self._get_guild_channels)
        r.add_get(a + "/guilds/{guild_id}/members/{user_id}", self._get_member)
        self._add_forum_routes(r, a)
        r.add_get(GATEWAY_PATH, self._gateway)
        r.add_get(RESUME_GATEWAY_PATH, self._gateway)
        return app

    async def start(self) -> FakeDiscord:
        """Start serving on 127.0.0.1 on a free port."""
        self._runner = web.AppRunner(self._build_app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Close open gateway connections, then stop the server."""
        for gate in self._holds.values():
            gate.set()  # let withheld answers go (to nobody) so that the server can shut down
        for conn in self.connections:
            if not conn.closed:
                conn.closed = True
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ REST plumbing

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Parse the body, apply injected faults and channel toggles, call the handler, record, notify."""
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        body = await self._read_json(request)
        request[JSON_BODY] = body
        request[FILES] = await self._read_files(request)
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else request.path
        route = canonical[len(API_PREFIX) :]
        queue = self._faults.get((request.method, normalise_route(route)))
        response: web.StreamResponse
        if queue:
            fault = queue.popleft()
            response = json_response(fault.body, status=fault.status, headers=fault.headers)
        else:
            toggled = self._channel_toggle(request)
            response = toggled if toggled is not None else await handler(request)
        self.requests.append(
            Recorded(
                method=request.method,
                route=route,
                path=request.path,
                match=dict(request.match_info),
                query=dict(request.query),
                json=body,
                headers=dict(request.headers),
                status=response.status,
                time=time.monotonic(),
                files=request[FILES],
            )
        )
        await self.notify()
        gate = self._holds.get((request.method, normalise_route(route)))
        if gate is not None:
            await gate.wait()  # done on Discord's side; the answer waits (see hold_answers)
        return response

    @staticmethod
    async def _read_json(request: web.Request) -> Any:
        """Return the JSON body (or the ``payload_json`` part of a multipart body), or ``None``."""
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(str(raw)) if raw is not None else None
        text = await request.text()
        return json.loads(text) if text else None

    @staticmethod
    async def _read_files(request: web.Request) -> tuple[UploadedFile, ...]:
        """Return the file parts of a multipart body (aiohttp caches the parsed form ``_read_json`` read)."""
        if not request.content_type.startswith("multipart/"):
            return ()
        form = await request.post()
        return tuple(
            UploadedFile(name, part.filename, part.content_type, part.file.read())
            for name, part in form.items()
            if isinstance(part, web.FileField)
        )

    def _channel_toggle(self, request: web.Request) -> web.Response | None:
        """Answer outages, 404/403 for deleted, hidden or unknown channels and closed DMs; else ``None``."""
        raw = request.match_info.get("channel_id")
        if raw is None:
            return None
        cid = int(raw)
        if (outage := self.failing_channels.get(cid)) is not None:
            return json_response(outage.body, status=outage.status, headers=outage.headers)
        if cid in self.deleted_channels or cid not in self.channels:
            return error_response(404, p.UNKNOWN_CHANNEL)
        if cid in self.no_access_channels:
            return error_response(403, p.MISSING_ACCESS)
        channel = self.channels[cid]
        if channel["type"] == 1 and request.method == "POST":
            recipient = int(channel["recipients"][0]["id"])
            if recipient in self.closed_dms:
                return error_response(403, p.CANNOT_DM)
        return None

    # ------------------------------------------------------------------ REST handlers

    async def _get_me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        return json_response(self.bot_user)

    async def _get_user(self, request: web.Request) -> web.Response:
        uid = int(request.match_info["user_id"])
        if uid not in self.users:
            return error_response(404, 10013, "Unknown User")
        return json_response(self.users[uid])

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(self.application)

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": f"ws://127.0.0.1:{self.port}"})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": f"ws://127.0.0.1:{self.port}", "shards": 1, "session_start_limit": limit})

    def _store_commands(self, existing: list[Payload], body: list[Payload], guild_id: int | None) -> list[Payload]:
        """Store a bulk overwrite, keeping the ids of commands that already existed (by name and type)."""
        old = {(c["name"], c.get("type", 1)): c["id"] for c in existing}
        stored = []
        for cmd in body:
            item = {
                "type": 1,
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "options": [],
                **cmd,
                "id": old.get((cmd["name"], cmd.get("type", 1))) or p.snowflake(),
                "application_id": str(self.app_id),
                "version": p.snowflake(),
            }
            if guild_id is not None:
                item["guild_id"] = str(guild_id)
            stored.append(item)
        return stored

    async def _global_commands(self, request: web.Request) -> web.Response:
        if int(request.match_info["application_id"]) != self.app_id:
            return error_response(403, 50001)
        if request.method == "PUT":
            self.global_commands = self._store_commands(self.global_commands, request[JSON_BODY] or [], None)
        return json_response(self.global_commands)

    async def _guild_commands(self, request: web.Request) -> web.Response:
        gid = int(request.match_info["guild_id"])
        if int(request.match_info["application_id"]) != self.app_id or not self._joined(gid):
            return error_response(403, p.MISSING_ACCESS)
        if request.method == "PUT":
            existing = self.guild_commands.get(gid, [])
            self.guild_commands[gid] = self._store_commands(existing, request[JSON_BODY] or [], gid)
        return json_response(self.guild_commands.get(gid, []))

    def _new_message(
        self, channel_id: int, body: Mapping[str, Any], *, webhook: bool = False, files: Iterable[UploadedFile] = ()
    ) -> Payload:
        """Create and index a message authored by the bot (with an attachment per uploaded file)."""
        channel = self.channels.get(channel_id, {})
        msg = p.message(
            p.snowflake(),
            channel_id,
            self.bot_user,
            body,
            guild_id=channel.get("guild_id"),
            webhook_id=self.app_id if webhook else None,
        )
        msg["attachments"] = [p.attachment(p.snowflake(), channel_id, f.filename, f.content_type, len(f.data))
                              for f in files]
        # Keep what was asked for, for assertions (Discord doesn't echo these, discord.py ignores them).
        msg["allowed_mentions"] = body.get("allowed_mentions")
        self.messages_by_id[int(msg["id"])] = msg
        return msg

    @staticmethod
    def _edit(msg: Payload, body: Mapping[str, Any]) -> None:
        """Apply an edit body to a stored message."""
        for key in ("content", "embeds", "components", "flags", "allowed_mentions"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ([] if key in ("embeds", "components") else None)
        if msg.get("content") is None:
            msg["content"] = ""
        msg["edited_timestamp"] = p.now_iso()

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        record = self.interactions.get(request.match_info["interaction_id"])
        if record is None or record.token != request.match_info["interaction_token"]:
            return error_response(404, p.UNKNOWN_INTERACTION)
        if record.callbacks:
            return error_response(400, 40060, "Interaction has already been acknowledged.")
        body: Payload = request[JSON_BODY] or {}
        record.callbacks.append(body)
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        channel_id = int(record.payload["channel"]["id"])
        meta: Payload = {"id": record.id, "type": record.payload["type"]}
        result: Payload = {"interaction": meta}
        if kind in (4, 5):
            msg_body = data if kind == 4 else {"content": "", "flags": data.get("flags", 0) | 128}  # 128: LOADING
            record.original = self._new_message(channel_id, msg_body, webhook=True)
            meta.update(
                response_message_id=record.original["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(int(data.get("flags") or 0) & p.EPHEMERAL),
            )
            result["resource"] = {"type": kind, "message": record.original}
        elif kind == 7 and "message" in record.payload:
            msg: Payload = self.messages_by_id.get(int(record.payload["message"]["id"])) or record.payload["message"]
            self._edit(msg, data)
            result["resource"] = {"type": kind, "message": msg}
        return json_response(result)

    def _record_for_token(self, request: web.Request) -> InteractionRecord | None:
        record = self._interactions_by_token.get(request.match_info["webhook_token"])
        if record is None or int(request.match_info["webhook_id"]) != self.app_id:
            return None
        return record

    async def _webhook_execute(self, request: web.Request) -> web.StreamResponse:
        record = self._record_for_token(request)
        if record is None:
            return error_response(404, 10015, "Unknown Webhook")
        if not record.callbacks:
            return error_response(404, 10015, "Unknown Webhook")
        msg = self._new_message(int(record.payload["channel"]["id"]), request[JSON_BODY] or {}, webhook=True,
                                files=request[FILES])
        record.followups.append(msg)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(msg)
        return web.Response(status=204)

    async def _webhook_message(self, request: web.Request) -> web.StreamResponse:
        record = self._record_for_token(request)
        if record is None:
            return error_response(404, 10015, "Unknown Webhook")
        mid = request.match_info.get("message_id", "@original")
        if mid == "@original":
            if record.original is None and request.method == "PATCH" and record.callbacks:
                record.original = self._new_message(int(record.payload["channel"]["id"]), {}, webhook=True)
            msg = None if record.original_deleted else record.original
        else:
            msg = next((m for m in record.followups if m["id"] == mid), None)
        if msg is None:
            return error_response(404, p.UNKNOWN_MESSAGE)
        if request.method == "PATCH":
            self._edit(msg, request[JSON_BODY] or {})
            msg["flags"] = int(msg.get("flags") or 0) & ~128
        elif request.method == "DELETE":
            if mid == "@original":
                record.original_deleted = True
            else:
                record.followups.remove(msg)
            return web.Response(status=204)
        return json_response(msg)

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = request[JSON_BODY] or {}
        recipient = body.get("recipient_id")
        if not isinstance(recipient, int) or recipient not in self.users:
            return error_response(400, 50033, "Invalid Recipient(s)")
        return json_response(self.channels[self._dm_channel_for(recipient)])

    async def _get_channel(self, request: web.Request) -> web.Response:
        return json_response(self.channels[int(request.match_info["channel_id"])])

    async def _create_message(self, request: web.Request) -> web.Response:
        cid = int(request.match_info["channel_id"])
        body = request[JSON_BODY] or {}
        refused = self._before_message(cid)  # a forum has no messages; a locked post takes none
        if refused is not None:
            return refused
        nonce = None if body.get("nonce") is None else str(body["nonce"])
        if nonce is not None and len(nonce) > NONCE_CHARS:
            return error_response(400, p.INVALID_FORM_BODY)
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(nonce)
            if seen is not None and time.monotonic() - seen[1] < NONCE_WINDOW_S:
                return json_response(seen[0])  # the same author sent this nonce lately: no second message
        msg = self._new_message(cid, body, files=request[FILES])
        if nonce is not None:
            msg["nonce"] = nonce
            self._nonces[nonce] = (msg, time.monotonic())
        self.messages[cid].append(msg)
        self._after_message(cid, msg)
        return json_response(msg)

    async def _channel_message(self, request: web.Request) -> web.StreamResponse:
        cid = int(request.match_info["channel_id"])
        mid = int(request.match_info["message_id"])
        msg = next((m for m in self.messages.get(cid, []) if int(m["id"]) == mid), None)
        if msg is None:
            return error_response(404, p.UNKNOWN_MESSAGE)
        if request.method == "PATCH":
            self._edit(msg, request[JSON_BODY] or {})
        elif request.method == "DELETE":
            self.messages[cid].remove(msg)
            return web.Response(status=204)
        return json_response(msg)

    def _joined(self, guild_id: int) -> bool:
        """Say whether the bot is in ``guild_id``."""
        return guild_id in self.guilds and self.guilds[guild_id].joined

    def _guild_or_404(self, request: web.Request) -> GuildState | web.Response:
        gid = int(request.match_info["guild_id"])
        if gid not in self.guilds:
            return error_response(404, 10004, "Unknown Guild")
        if not self.guilds[gid].joined:
            return error_response(403, p.MISSING_ACCESS)
        return self.guilds[gid]

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        return guild if isinstance(guild, web.Response) else json_response(self.guild_payload(guild.id))

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        if isinstance(guild, web.Response):
            return guild
        return json_response([self.channels[c] for c in guild.channel_ids if c not in self.deleted_channels])

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        if isinstance(guild, web.Response):
            return guild
        uid = int(request.match_info["user_id"])
        if uid not in guild.members:
            return error_response(404, 10007, "Unknown Member")
        return json_response(self.member_payload(guild.id, uid))

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one gateway connection: HELLO, then IDENTIFY→READY+GUILD_CREATE, RESUME→RESUMED, 1→11."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = GatewayConnection(len(self.connections), request.path, dict(request.query), ws)
        self.connections.append(conn)
        try:
            await self._send(conn, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                frame = json.loads(msg.data)
                op, d = frame.get("op"), frame.get("d")
                self.frames.append(GatewayFrame(conn.index, "in", op, None, None, d))
                if op == OP_HEARTBEAT and self.ack_heartbeats:
                    await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None})
                elif op == OP_IDENTIFY:
                    await self._identify(conn, d)
                elif op == OP_RESUME:
                    await self._resume(conn, d)
                await self.notify()
        finally:
            conn.closed = True
            await self.notify()
        return ws

    async def _identify(self, conn: GatewayConnection, d: Payload) -> None:
        """Answer IDENTIFY with READY (guilds unavailable) then one GUILD_CREATE per guild."""
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.session_id = conn.session_id = f"session-{p.snowflake()}"
        self.seq = 1
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": str(g), "unavailable": True} for g, guild in self.guilds.items() if guild.joined],
            "session_id": self.session_id,
            "resume_gateway_url": self.resume_gateway_url,
            "shard": [0, 1],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._send(conn, {"op": OP_DISPATCH, "t": "READY", "s": self.seq, "d": ready})
        for gid in [g for g, guild in self.guilds.items() if guild.joined]:
            self.seq += 1
            await self._send(
                conn, {"op": OP_DISPATCH, "t": "GUILD_CREATE", "s": self.seq, "d": self.guild_payload(gid, full=True)}
            )

    async def _resume(self, conn: GatewayConnection, d: Payload) -> None:
        """Answer RESUME with RESUMED for the current session, else INVALID_SESSION (not resumable)."""
        if d.get("token") != self.token or d.get("session_id") != self.session_id:
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False})
            return
        conn.session_id = self.session_id
        self.seq += 1
        await self._send(conn, {"op": OP_DISPATCH, "t": "RESUMED", "s": self.seq, "d": {}})
