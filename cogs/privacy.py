"""/privacy: what Mercato stores about you, and forgetting it; plus the server join/leave events behind
the deletion of a server's data (see bot.privacy and docs/privacy.md)."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.privacy import PrivacyReport
from bot.storage.privacy import Erased
from cogs.client import MercatoBot
from cogs.embeds import ts
from cogs.render import safe_text
from cogs.tree import send_ephemeral

FORGET_HINT = "`/privacy action:forget` deletes all of it, in every server."


def render_report(report: PrivacyReport, server_name: dict[int, str]) -> str:
    """The /privacy answer: every kind of stored data, in plain words."""
    if report.empty:
        return "Mercato stores nothing about you: no follows, no DM setting, no DM history."
    lines = ["**What Mercato stores about you** (only your Discord user id, with:)"]
    for followed in report.follows:
        where = server_name.get(followed.guild_id, f"a server I am no longer in ({followed.guild_id})")
        labels = safe_text(", ".join(followed.labels), 600)
        lines.append(f"• Follows in {safe_text(where, 100, single_line=True)}: {labels}")
    if report.dm_mode is not None:
        lines.append(f"• Your DM setting: {report.dm_mode}")
    if report.dm_blocked:
        lines.append("• DMs paused: Discord refused one (they resume when you next use a command)")
    for history in report.dms:
        lines.append(f"• {history.count} DM alert(s) {history.status}, from {ts(history.first, 'D')} to "
                     f"{ts(history.last, 'D')}")
    for guild_id, url in report.feeds_added:
        where = server_name.get(guild_id, str(guild_id))
        lines.append(f"• You added the feed <{safe_text(url, 300, single_line=True)}> in "
                     f"{safe_text(where, 100, single_line=True)}")
    lines.append(FORGET_HINT)
    return "\n".join(lines)


def render_erased(erased: Erased) -> str:
    """The /privacy forget answer."""
    return (f"Done. Deleted {erased.follows} follow(s), your DM setting ({'deleted' if erased.settings else 'none'}), "
            f"{erased.deliveries} DM record(s), and your user id on {erased.feeds} feed(s) you added, in every server. "
            "Messages already sent to you stay in your DMs, where you can delete them.")


class Privacy(commands.Cog):
    """/privacy, and the bot joining or leaving servers."""

    def __init__(self, bot: MercatoBot) -> None:
        self.bot = bot
        self.privacy = bot.services.privacy

    @app_commands.command(description="What Mercato stores about you; or delete it all")
    @app_commands.describe(action="show (default) what is stored, or forget: delete it in every server")
    async def privacy(self, interaction: discord.Interaction[Any],
                      action: Literal["show", "forget"] = "show") -> None:
        """Show the caller's stored data, or delete it."""
        if action == "forget":
            await send_ephemeral(interaction, render_erased(await self.privacy.forget(interaction.user.id)))
            return
        report = await self.privacy.report(interaction.user.id)
        names = {g.id: g.name for g in self.bot.guilds}
        await send_ephemeral(interaction, render_report(report, names))

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server (or it was deleted): its data goes after the grace period."""
        await self.privacy.left_guild(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """Added (back) to a server: keep its data."""
        await self.privacy.joined_guild(guild.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers left or rejoined while the bot was offline."""
        await self.privacy.reconcile(g.id for g in self.bot.guilds)


async def setup(bot: MercatoBot) -> None:
    """Load the Privacy cog."""
    await bot.add_cog(Privacy(bot))
