"""/follow, /unfollow, /following and /dm: what each fan follows, and when they get DMs."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from bot.alerts.filters import positive_stages
from bot.alerts.view import pretty
from cogs.client import Choices, MercatoBot, MercatoCog, choices, guild_of
from cogs.embeds import follow_reply, following_list
from cogs.render import safe_text
from cogs.tree import send_ephemeral

# The stages a filter can start from, for /follow and /alerts ping (values are Stage values).
STAGE_CHOICES = [app_commands.Choice(name=pretty(s.value), value=s.value) for s in positive_stages()]
DM_MODES = {
    "deadline": "Deadline mode: you get DMs only while a transfer window that concerns what you follow closes soon.",
    "always": "You get a DM for every new story about what you follow, all year.",
    "off": "No DMs. Alerts still go to the server's alert channel.",
}


class Follow(MercatoCog):
    """A fan's follows, per server."""

    @app_commands.command(description="Follow a player or club in this server (or any word, as text)")
    @app_commands.describe(
        name="A player or club: pick one from the list, or type any word to follow it as text",
        min_stage="DM me only from this stage up (e.g. talks)",
        max_tier="DM me only from sources this reliable or better (0 = the club itself … 5 = aggregators)",
    )
    @app_commands.choices(min_stage=STAGE_CHOICES)
    @app_commands.guild_only()
    async def follow(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 100],
        min_stage: str | None = None,
        max_tier: app_commands.Range[int, 0, 5] | None = None,
    ) -> None:
        """Follow (with the filter given: none means every story), then answer with its latest news."""
        result = await self.services.follow(guild_id=guild_of(interaction), user_id=interaction.user.id, query=name,
                                            min_stage=min_stage, max_tier=max_tier, set_filter=True)
        await send_ephemeral(interaction, follow_reply(result))

    @follow.autocomplete("name")
    async def follow_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Players and clubs from the catalogue, forgiving accents and case."""
        return choices(self.services.complete_entities(current))

    @app_commands.command(description="Stop following a player, club or word in this server")
    @app_commands.describe(name="One of your follows")
    @app_commands.guild_only()
    async def unfollow(self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]) -> None:
        """Unfollow and confirm."""
        label = await self.services.unfollow(guild_id=guild_of(interaction), user_id=interaction.user.id, query=name)
        await send_ephemeral(interaction, f"You no longer follow **{safe_text(label, 200, single_line=True)}**.")

    @unfollow.autocomplete("name")
    async def unfollow_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """The caller's own follows in this server."""
        found = await self.services.complete_follows(
            guild_id=guild_of(interaction), user_id=interaction.user.id, current=current
        )
        return choices(found)

    @app_commands.command(description="What you follow in this server, with the latest news about each")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction[Any]) -> None:
        """List the caller's follows."""
        lines = await self.services.follows(guild_id=guild_of(interaction), user_id=interaction.user.id)
        await send_ephemeral(interaction, following_list(lines))

    @app_commands.command(description="When you get DMs about what you follow")
    @app_commands.describe(mode="deadline (default): only near a transfer deadline; always; or off")
    async def dm(self, interaction: discord.Interaction[Any], mode: Literal["deadline", "always", "off"]) -> None:
        """Set the caller's DM mode (it applies in every server)."""
        chosen = await self.services.set_dm_mode(user_id=interaction.user.id, mode=mode)
        await send_ephemeral(interaction, DM_MODES[chosen.value])


async def setup(bot: MercatoBot) -> None:
    """Load the Follow cog."""
    await bot.add_cog(Follow(bot))
