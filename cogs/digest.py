"""/digest me and /digest server: a daily message of the top transfer stories, by DM or in a channel (issue 12)."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from bot.digests import DigestSetting
from bot.models import SERVER
from cogs.client import MercatoBot, MercatoCog, guild_of
from cogs.embeds import ts
from cogs.tree import send_ephemeral

MODE = "daily: every day at the time given; off: no digest"
TIME = "Local time in this server's time zone (/alerts timezone), like 08:00 or 8pm; default 09:00"


def digest_reply(setting: DigestSetting) -> str:
    """What /digest answers."""
    whose = "This server's" if setting.server else "Your"
    if not setting.on:
        return f"{whose} daily digest is off." if setting.was_on else f"{whose} daily digest was not on."
    assert setting.local_time is not None and setting.next_at is not None
    when = f"every day at **{setting.local_time:%H:%M}** ({setting.zone})"
    first = f"First one {ts(setting.next_at, 'f')} ({ts(setting.next_at)})."
    if setting.server:
        return (f"This server's daily digest goes to <#{setting.channel_id}> {when}: the top stories by heat about "
                f"what its members follow. {first} The time zone is set with `/alerts timezone`.")
    return (f"Your daily digest comes by DM {when}, this server's time zone: the top stories by heat about what you "
            f"follow here. {first} It needs your DMs open to members of this server.")


class Digest(MercatoCog):
    """Daily digests: a member's by DM, the server's in a channel."""

    digest = app_commands.Group(name="digest", description="A daily digest of the top transfer stories",
                                guild_only=True)

    @digest.command(name="me", description="Your daily digest by DM: the top stories about what you follow here")
    @app_commands.describe(mode=MODE, at=TIME)
    @app_commands.rename(at="time")
    async def digest_me(
        self, interaction: discord.Interaction[Any], mode: Literal["daily", "off"],
        at: app_commands.Range[str, 1, 12] | None = None,
    ) -> None:
        """Turn the caller's DM digest on or off."""
        setting = await self.services.digests.set(guild_id=guild_of(interaction), user_id=interaction.user.id,
                                                  mode=mode, at=at)
        await send_ephemeral(interaction, digest_reply(setting))

    @digest.command(name="server", description="This server's daily digest in a channel (Manage Server)")
    @app_commands.describe(mode=MODE, at=TIME, channel="Where the digest goes (default: this channel)")
    @app_commands.rename(at="time")
    async def digest_server(
        self, interaction: discord.Interaction[Any], mode: Literal["daily", "off"],
        at: app_commands.Range[str, 1, 12] | None = None, channel: discord.TextChannel | None = None,
    ) -> None:
        """Turn the server's digest on or off (Manage Server, checked here: /digest me is for everyone)."""
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        target = channel.id if channel is not None else interaction.channel_id
        setting = await self.services.digests.set(guild_id=guild_of(interaction), user_id=SERVER, mode=mode, at=at,
                                                  channel_id=target)
        await send_ephemeral(interaction, digest_reply(setting))


async def setup(bot: MercatoBot) -> None:
    """Load the Digest cog."""
    await bot.add_cog(Digest(bot))
