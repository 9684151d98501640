"""Prove the fake Discord against a stock ``commands.Bot`` running the real discord.py client."""

from __future__ import annotations

import io
import logging

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import payloads as p
from tests.fakediscord.fixtures import run_bot
from tests.fakediscord.server import OP_HEARTBEAT, OP_HEARTBEAT_ACK, OP_IDENTIFY, OP_RESUME, FakeDiscord

PLAYERS = ["Dragusin", "Dragowski", "Drameh", "Saka"]


class VoteView(discord.ui.View):
    """A view with one button that edits the message it is attached to."""

    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Believe it", custom_id="vote:yes")
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} believes it", view=None)


class RumourCog(commands.Cog):
    """A small cog exercising each interaction path the fake must serve."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="follow", description="Follow a player")
    @app_commands.describe(term="Player name")
    async def follow(self, interaction: discord.Interaction, term: str) -> None:
        await interaction.response.send_message(f"Following {term}", ephemeral=True)

    @follow.autocomplete("term")
    async def follow_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=n.lower()) for n in PLAYERS if n.lower().startswith(current.lower())]

    @app_commands.command(name="digest", description="Slow command: defers then follows up")
    async def digest(self, interaction: discord.Interaction, limit: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content=f"{limit} rumours")
        await interaction.followup.send("and one more thing", ephemeral=True)

    @app_commands.command(name="vote", description="Post a rumour with a button")
    async def vote(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Dragusin to Spurs?", view=VoteView())

    @app_commands.command(name="alerts", description="Send alerts to a channel")
    async def alerts(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        role: discord.Role | None = None,
        fan: discord.Member | None = None,
    ) -> None:
        names = [channel.name, role.name if role else "-", fan.name if fan else "-"]
        await interaction.response.send_message(" ".join(names), ephemeral=True)

    settings = app_commands.Group(name="settings", description="Server settings")

    @settings.command(name="channel", description="Set the alert channel")
    async def settings_channel(self, interaction: discord.Interaction, quiet: bool) -> None:
        perms = interaction.permissions
        await interaction.response.send_message(f"quiet={quiet} manage_guild={perms.manage_guild}", ephemeral=True)


class RumourBot(commands.Bot):
    """A stock bot with the cog; syncs its commands on start-up."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05, **kwargs)

    async def setup_hook(self) -> None:
        await self.add_cog(RumourCog(self))
        await self.tree.sync()


async def test_login_identify_and_command_sync(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        assert run.bot.user is not None and run.bot.user.id == fake_discord.app_id
        assert run.bot.application_id == fake_discord.app_id
        me = fake_discord.calls("GET", "/users/@me")
        assert me[0].headers["Authorization"] == "Bot fake-token"
        put = fake_discord.calls("PUT", "/applications/{application_id}/commands")
        assert len(put) == 1 and put[0].match["application_id"] == str(fake_discord.app_id)
        assert sorted(c["name"] for c in put[0].json) == ["alerts", "digest", "follow", "settings", "vote"]
        identify = fake_discord.received_ops(OP_IDENTIFY)
        assert identify[0].d["token"] == "fake-token"
        assert fake_discord.connections[0].query["encoding"] == "json"
        guild = run.bot.get_guild(fake_discord.guild_id)
        assert guild is not None and guild.owner_id == fake_discord.owner_id
        assert guild.get_channel(fake_discord.channel_id) is not None
        assert guild.me is not None and guild.me.id == fake_discord.app_id


async def test_slash_command_replies_ephemerally(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        record = await fake_discord.invoke("follow", {"term": "dragusin"})
        interaction, _command = await run.wait_for_completion("follow")
        assert record.callback_type == 4
        assert record.content == "Following dragusin"
        assert record.ephemeral
        assert interaction.data is not None and interaction.data["id"] == fake_discord.find_command("follow")["id"]
        callback = fake_discord.calls("POST", "/interactions/{id}/{token}/callback")[0]
        assert callback.query == {"with_response": "1"}


async def test_subcommand_options_and_member_permissions(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        admin = await fake_discord.invoke("settings", {"quiet": True}, subcommand="channel", user=fake_discord.admin_id)
        plain = await fake_discord.invoke("settings", {"quiet": False}, subcommand="channel")
        await run.wait_for_completion("settings channel")
        assert admin.content == "quiet=True manage_guild=True"
        assert plain.content == "quiet=False manage_guild=False"


async def test_deferred_reply_then_edit_and_followup(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        payload = fake_discord.make_slash_interaction("digest", {"limit": 3})
        await fake_discord.send_interaction(payload)
        await run.wait_for_completion("digest")
        record = fake_discord.interaction_response(payload["id"])
        assert record.callback_type == 5 and record.ephemeral
        assert record.content == "3 rumours"
        assert [m["content"] for m in record.followups] == ["and one more thing"]
        assert record.followups[0]["flags"] & p.EPHEMERAL
        assert fake_discord.calls("PATCH", "/webhooks/{}/{}/messages/@original")[0].json["content"] == "3 rumours"


async def test_autocomplete_returns_choices(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()):
        payload = fake_discord.make_autocomplete_interaction("follow", {"term": "dra"}, focused="term")
        await fake_discord.send_interaction(payload)
        record = await fake_discord.wait_for_response(payload)
        assert record.callback_type == 8
        assert [c["value"] for c in record.choices] == ["dragusin", "dragowski", "drameh"]


async def test_button_component_interaction(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        posted = await fake_discord.invoke("vote")
        await run.wait_for_completion("vote")
        assert posted.message is not None
        assert posted.message["components"][0]["components"][0]["custom_id"] == "vote:yes"
        click = fake_discord.make_component_interaction("vote:yes", posted.message["id"], user=fake_discord.admin_id)
        await fake_discord.send_interaction(click)
        record = await fake_discord.wait_for_response(click)
        assert record.callback_type == 7
        assert record.content == "admin believes it"
        assert fake_discord.messages_by_id[int(posted.message["id"])]["content"] == "admin believes it"


async def test_channel_send_with_embed_and_allowed_mentions(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        channel = run.bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        embed = discord.Embed(title="HERE WE GO", description="Dragusin to Spurs")
        sent = await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())
        [msg] = fake_discord.channel_messages(fake_discord.channel_id)
        assert int(msg["id"]) == sent.id
        assert msg["embeds"][0]["title"] == "HERE WE GO"
        assert msg["allowed_mentions"] == {"parse": []}
        await sent.edit(content="updated")
        assert fake_discord.channel_messages(fake_discord.channel_id)[0]["content"] == "updated"


async def test_multipart_send_records_payload_json(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        channel = run.bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("with a file", file=discord.File(io.BytesIO(b"rumour"), "rumour.txt"))
        [call] = fake_discord.calls("POST", "/channels/{channel_id}/messages")
        assert call.headers["Content-Type"].startswith("multipart/form-data")
        assert call.json["content"] == "with a file"
        assert fake_discord.channel_messages(fake_discord.channel_id)[0]["content"] == "with a file"


async def test_dm_send_opens_channel_once(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        user = await run.bot.fetch_user(fake_discord.member_id)
        await user.send("first")
        await user.send("second")
        opens = fake_discord.calls("POST", "/users/@me/channels")
        assert [c.json for c in opens] == [{"recipient_id": fake_discord.member_id}]
        assert [m["content"] for m in fake_discord.dm_messages(fake_discord.member_id)] == ["first", "second"]


async def test_rest_429_is_retried(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        fake_discord.inject_fault("POST", "/channels/{channel_id}/messages", 429, body=p.rate_limit_body(0.05))
        channel = run.bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("after the rate limit")
        calls = fake_discord.calls("POST", "/channels/{channel_id}/messages")
        assert [c.status for c in calls] == [429, 200]
        assert calls[1].time - calls[0].time >= 0.045  # slept retry_after
        assert fake_discord.pending_faults("POST", "/channels/{}/messages") == 0


async def test_rest_429_without_via_is_not_retried(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        fake_discord.inject_fault("POST", "/channels/{channel_id}/messages", 429, via=False)
        channel = run.bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as excinfo:
            await channel.send("banned by cloudflare")
        assert excinfo.value.status == 429
        assert len(fake_discord.calls("POST", "/channels/{channel_id}/messages")) == 1


async def test_interaction_callback_429_is_retried(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        fake_discord.inject_fault("POST", "/interactions/{id}/{token}/callback", 429)
        record = await fake_discord.invoke("follow", {"term": "saka"})
        await run.wait_for_completion("follow")
        assert [c.status for c in fake_discord.calls("POST", "/interactions/{id}/{token}/callback")] == [429, 200]
        assert record.content == "Following saka"


async def test_closed_dms_raise_forbidden_50007(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        fake_discord.close_dms(fake_discord.member_id)
        user = await run.bot.fetch_user(fake_discord.member_id)
        with pytest.raises(discord.Forbidden) as excinfo:
            await user.send("you won't get this")
        assert excinfo.value.code == p.CANNOT_DM
        # The same via inject_fault, on an open DM channel:
        fake_discord.closed_dms.clear()
        await user.send("now it works")
        fake_discord.inject_fault("POST", "/channels/{channel_id}/messages", 403, body=p.error_body(p.CANNOT_DM))
        with pytest.raises(discord.Forbidden):
            await user.send("blocked again")
        assert [m["content"] for m in fake_discord.dm_messages(fake_discord.member_id)] == ["now it works"]


async def test_deleted_and_hidden_channels(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        channel = run.bot.get_channel(fake_discord.channel_id)
        hidden = run.bot.get_channel(fake_discord.second_channel_id)
        assert isinstance(channel, discord.TextChannel) and isinstance(hidden, discord.TextChannel)
        fake_discord.delete_channel(fake_discord.channel_id)
        fake_discord.deny_access(fake_discord.second_channel_id)
        with pytest.raises(discord.NotFound) as not_found:
            await channel.send("gone")
        with pytest.raises(discord.Forbidden) as forbidden:
            await hidden.send("hidden")
        with pytest.raises(discord.NotFound):
            await run.bot.fetch_channel(fake_discord.channel_id)
        assert not_found.value.code == p.UNKNOWN_CHANNEL
        assert forbidden.value.code == p.MISSING_ACCESS


async def test_fetch_guild_and_member(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        guild = await run.bot.fetch_guild(fake_discord.guild_id)
        assert guild.owner_id == fake_discord.owner_id
        member = await guild.fetch_member(fake_discord.admin_id)
        assert fake_discord.admin_role_id in [r.id for r in member.roles]
        assert member.guild_permissions.manage_guild
        plain = await guild.fetch_member(fake_discord.member_id)
        assert not plain.guild_permissions.manage_guild
        with pytest.raises(discord.NotFound):
            await guild.fetch_member(12345)


async def test_heartbeats_are_acked(fake_discord: FakeDiscord) -> None:
    fake_discord.heartbeat_interval_ms = 50
    async with run_bot(RumourBot()) as run:
        await fake_discord.wait_for(lambda: len(fake_discord.received_ops(OP_HEARTBEAT)) >= 3)
        acks = [f for f in fake_discord.frames if f.direction == "out" and f.op == OP_HEARTBEAT_ACK]
        assert len(acks) >= 2
        assert run.bot.latency < 1.0  # inf until the first ACK arrives


async def test_reconnect_resumes_on_resume_gateway_url(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        seq_before = fake_discord.seq
        await fake_discord.request_reconnect()
        [resume] = await fake_discord.wait_for(lambda: fake_discord.received_ops(OP_RESUME))
        assert resume.d["session_id"] == fake_discord.session_id
        assert resume.d["seq"] == seq_before
        assert fake_discord.connections[-1].path == "/resume-gateway"
        await fake_discord.wait_for(lambda: fake_discord.active_connection is fake_discord.connections[-1])
        assert len(fake_discord.received_ops(OP_IDENTIFY)) == 1
        # The resumed session still delivers interactions.
        record = await fake_discord.invoke("follow", {"term": "drameh"})
        await run.wait_for_completion("follow")
        assert record.content == "Following drameh"


async def test_handler_crash_fails_the_run(fake_discord: FakeDiscord) -> None:
    """The ERROR-log guard is what makes crashed command handlers visible; check it bites."""
    fake_discord.inject_fault("POST", "/interactions/{id}/{token}/callback", 400, body=p.error_body(50035))
    async with run_bot(RumourBot(), allow_errors=True) as run:
        payload = fake_discord.make_slash_interaction("follow", {"term": "x"})
        await fake_discord.send_interaction(payload)
        record = await run.wait_for_error()
    assert record.name == "discord.app_commands.tree"
    assert record.exc_info is not None and "50035" in str(record.exc_info[1])
    with pytest.raises(pytest.fail.Exception, match=r"discord\.\* logged errors"):
        async with run_bot(RumourBot()):
            logging.getLogger("discord.test").error("boom")


async def test_bad_token_fails_login(fake_discord: FakeDiscord) -> None:
    fake_discord.token = "another-token"
    with pytest.raises(discord.LoginFailure):
        async with run_bot(RumourBot()):
            pass


async def test_user_channel_and_role_options_are_resolved(fake_discord: FakeDiscord) -> None:
    async with run_bot(RumourBot()) as run:
        options = {
            "channel": fake_discord.second_channel_id,
            "role": fake_discord.admin_role_id,
            "fan": fake_discord.admin_id,
        }
        record = await fake_discord.invoke("alerts", options)
        await run.wait_for_completion("alerts")
        assert record.content == "transfers Moderator admin"


class GuildSyncBot(RumourBot):
    """Syncs to the seeded guild only, as a dev deployment would."""

    def __init__(self, guild_id: int) -> None:
        super().__init__()
        self.dev_guild = discord.Object(guild_id)

    async def setup_hook(self) -> None:
        await self.add_cog(RumourCog(self))
        self.tree.copy_global_to(guild=self.dev_guild)
        await self.tree.sync(guild=self.dev_guild)


async def test_guild_command_sync_and_guild_join_leave(fake_discord: FakeDiscord) -> None:
    new_guild = fake_discord.add_guild("Spurs fans", owner_id=fake_discord.member_id, joined=False)
    async with run_bot(GuildSyncBot(fake_discord.guild_id)) as run:
        [put] = fake_discord.calls("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
        assert put.match["guild_id"] == str(fake_discord.guild_id)
        assert fake_discord.calls("PUT", "/applications/{application_id}/commands") == []
        record = await fake_discord.invoke("follow", {"term": "maddison"})
        command = fake_discord.find_command("follow", fake_discord.guild_id)
        assert command is not None and command["guild_id"] == str(fake_discord.guild_id)
        assert record.payload["data"]["id"] == command["id"]
        assert record.content == "Following maddison"
        assert run.bot.get_guild(new_guild) is None
        with pytest.raises(discord.Forbidden):
            await run.bot.fetch_guild(new_guild)

        await fake_discord.join_guild(new_guild)
        joined = await run.bot.wait_for("guild_join", timeout=5)
        assert joined.id == new_guild and joined.owner_id == fake_discord.member_id
        await fake_discord.remove_guild(new_guild)
        removed = await run.bot.wait_for("guild_remove", timeout=5)
        assert removed.id == new_guild


async def test_unacked_heartbeats_make_the_client_resume(fake_discord: FakeDiscord) -> None:
    fake_discord.heartbeat_interval_ms = 50
    fake_discord.ack_heartbeats = False
    async with run_bot(RumourBot(heartbeat_timeout=0.3)):
        [resume] = await fake_discord.wait_for(lambda: fake_discord.received_ops(OP_RESUME))
        assert resume.d["session_id"] == fake_discord.session_id
        assert len(fake_discord.connections) == 2 and fake_discord.connections[1].path == "/resume-gateway"
