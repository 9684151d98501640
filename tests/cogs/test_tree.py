"""End-to-end tests for cogs.tree.MercatoTree, through the real discord.py client and the fake Discord."""

from __future__ import annotations

import logging

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput, NotFound
from cogs.tree import APOLOGY, GUILD_ONLY, NOT_ALLOWED, MercatoTree, describe_error, permission_names, send_ephemeral
from tests.fakediscord import payloads as p
from tests.fakediscord.fixtures import fake_discord, run_bot
from tests.fakediscord.server import FakeDiscord

__all__ = ["fake_discord"]  # the fixture, imported for this module


class PlayerName(app_commands.Transformer):
    """Reject names with digits: a transformer failure the tree must explain."""

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        if any(c.isdigit() for c in value):
            raise ValueError("digits")
        if value == "nobody":
            raise InvalidInput("No player called nobody.")
        return value


class Broken(commands.Cog):
    """Commands that fail in each way the tree handles."""

    @app_commands.command(description="Raises InvalidInput")
    async def invalid(self, interaction: discord.Interaction, term: str) -> None:
        raise InvalidInput(f"“{term}” is not a player. @everyone")

    @app_commands.command(description="Defers, then raises NotFound")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        raise NotFound("No rumours yet.")

    @app_commands.command(description="Raises a bug")
    async def crash(self, interaction: discord.Interaction, term: str, count: int) -> None:
        raise RuntimeError("bug")

    @app_commands.command(description="Admins only")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def admin(self, interaction: discord.Interaction) -> None:
        await send_ephemeral(interaction, "Done <@123>")

    @app_commands.command(description="Transformer")
    async def player(self, interaction: discord.Interaction, name: app_commands.Transform[str, PlayerName]) -> None:
        await send_ephemeral(interaction, embed=discord.Embed(title=name))


class TreeBot(commands.Bot):
    """A bot using MercatoTree."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), tree_cls=MercatoTree, guild_ready_timeout=0.05
        )

    async def setup_hook(self) -> None:
        await self.add_cog(Broken())
        await self.tree.sync()


async def test_mercato_error_becomes_ephemeral_reply(fake_discord: FakeDiscord) -> None:
    async with run_bot(TreeBot()):
        record = await fake_discord.invoke("invalid", {"term": "zzz"})
        assert record.callback_type == 4
        assert record.ephemeral
        assert record.content == "“zzz” is not a player. @everyone"
        assert record.data["allowed_mentions"] == {"parse": []}


async def test_error_after_defer_uses_followup(fake_discord: FakeDiscord) -> None:
    async with run_bot(TreeBot()):
        payload = fake_discord.make_slash_interaction("slow")
        await fake_discord.send_interaction(payload)
        record = await fake_discord.wait_for_response(payload, followups=1)
        assert record.callback_type == 5
        [followup] = record.followups
        assert followup["content"] == "No rumours yet."
        assert followup["flags"] & p.EPHEMERAL
        assert followup["allowed_mentions"] == {"parse": []}


async def test_unexpected_error_is_logged_and_apologised(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    async with run_bot(TreeBot()):  # fails if discord.* logged an ERROR: the tree must handle it itself
        record = await fake_discord.invoke("crash", {"term": "dragusin", "count": 2})
        assert record.content == APOLOGY and record.ephemeral
    [logged] = [r for r in caplog.records if r.name == "cogs.tree"]
    assert logged.levelno == logging.ERROR
    assert logged.getMessage() == "Unhandled error in command /crash with options {'term': 'dragusin', 'count': 2}"
    assert logged.exc_info is not None and isinstance(logged.exc_info[1], RuntimeError)


async def test_missing_permissions(fake_discord: FakeDiscord) -> None:
    async with run_bot(TreeBot()):
        denied = await fake_discord.invoke("admin")
        allowed = await fake_discord.invoke("admin", user=fake_discord.admin_id)
    assert denied.content == "You need the Manage Server permission to use this command."
    assert denied.ephemeral
    assert allowed.content == "Done <@123>" and allowed.data["allowed_mentions"] == {"parse": []}


async def test_transformer_errors(fake_discord: FakeDiscord) -> None:
    async with run_bot(TreeBot()):
        bad = await fake_discord.invoke("player", {"name": "saka7"})
        unknown = await fake_discord.invoke("player", {"name": "nobody"})
        good = await fake_discord.invoke("player", {"name": "saka"})
    assert bad.content == "Failed to convert saka7 to PlayerName" and bad.ephemeral
    assert unknown.content == "No player called nobody."
    assert good.data["embeds"][0]["title"] == "saka" and good.ephemeral


async def test_expired_interaction_is_only_a_warning(
    fake_discord: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.inject_fault(
        "POST", "/interactions/{id}/{token}/callback", 404, body=p.error_body(p.UNKNOWN_INTERACTION)
    )
    async with run_bot(TreeBot()):
        payload = fake_discord.make_slash_interaction("invalid", {"term": "x"})
        await fake_discord.send_interaction(payload)
        await fake_discord.wait_for_call("POST", "/interactions/{id}/{token}/callback")
        await fake_discord.wait_for(lambda: any(r.name == "cogs.tree" for r in caplog.records))
    [warning] = [r for r in caplog.records if r.name == "cogs.tree"]
    assert warning.levelno == logging.WARNING and "/invalid" in warning.getMessage()


def test_permission_names():
    assert permission_names(["manage_guild"]) == "Manage Server"
    assert permission_names(["manage_guild", "embed_links", "use_soundboard"]) == (
        "Manage Server, Embed Links and Use Soundboard"
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (app_commands.NoPrivateMessage(), GUILD_ONLY),
        (app_commands.CheckFailure("The check functions for command 'x' failed."), NOT_ALLOWED),
        (app_commands.BotMissingPermissions(["embed_links"]), "I need the Embed Links permission to use this command."),
        (
            app_commands.MissingPermissions(["manage_guild", "manage_channels"]),
            "You need the Manage Server and Manage Channels permissions to use this command.",
        ),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.4), "Slow down: try again in 12 seconds."),
    ],
)
def test_check_failures_are_explained(error, message):
    assert describe_error(None, error) == message  # the interaction is only read when logging a bug
