"""/help: every command, one line each, read from the command tree itself (so it cannot go stale)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.client import MercatoBot
from cogs.embeds import COLOUR
from cogs.render import DESCRIPTION_LIMIT
from cogs.tree import send_ephemeral

AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group


def command_lines(tree_commands: Iterable[AnyCommand | app_commands.ContextMenu]) -> list[str]:
    """"`/name sub` description" for every slash command and subcommand, marking the Manage Server ones."""
    lines = []
    for command in sorted(tree_commands, key=lambda c: c.name):
        if isinstance(command, app_commands.ContextMenu):
            continue
        admin = command.default_permissions is not None and command.default_permissions.manage_guild
        marker = " *(Manage Server)*" if admin else ""
        if isinstance(command, app_commands.Group):
            for sub in command.walk_commands():
                if isinstance(sub, app_commands.Command):
                    lines.append(f"`/{sub.qualified_name}` {sub.description}{marker}")
        else:
            lines.append(f"`/{command.qualified_name}` {command.description}{marker}")
    return lines


class Help(commands.Cog):
    """The command list."""

    def __init__(self, bot: MercatoBot) -> None:
        self.bot = bot

    @app_commands.command(description="Every Mercato command, one line each")
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        """List the commands."""
        body = "\n".join(command_lines(self.bot.tree.get_commands()))
        embed = discord.Embed(title="Mercato commands", description=body[:DESCRIPTION_LIMIT], colour=COLOUR)
        embed.set_footer(text="Alerts are set up by a server admin with /alerts channel. What is stored about you: "
                              "/privacy.")
        await send_ephemeral(interaction, embed=embed)


async def setup(bot: MercatoBot) -> None:
    """Load the Help cog."""
    await bot.add_cog(Help(bot))
