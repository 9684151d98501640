"""/shortlist, /rumours, /latest and /deadline: what the market is saying. Public replies."""

from __future__ import annotations

import asyncio
import contextlib
import io
from typing import Any

import discord
from discord import app_commands

from bot.models import EntityKind
from cogs.client import Choices, MercatoBot, MercatoCog, choices, guild_of
from cogs.embeds import CHART_FILE, chart_embed, countdown_text, latest_text, shortlist_text, timeline_text
from cogs.render import NO_MENTIONS


async def reply(interaction: discord.Interaction[Any], text: str, chart: bytes | None = None) -> None:
    """Answer a deferred command publicly, pinging nobody; a heat chart comes as an attached PNG its embed shows."""
    if chart is None:
        await interaction.followup.send(text, allowed_mentions=NO_MENTIONS)
        return
    await interaction.followup.send(text, embed=chart_embed(), file=discord.File(io.BytesIO(chart), CHART_FILE),
                                    allowed_mentions=NO_MENTIONS)


class Rumours(MercatoCog):
    """Read commands over the stored news."""

    _warming: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Load matplotlib in the background, so the first heat chart is drawn as fast as the next ones."""
        self._warming = asyncio.create_task(self.services.charts.warm_up(), name="mercato-chart-warm-up")

    async def cog_unload(self) -> None:
        """Let a warm-up that is still loading finish (it runs on a worker thread and cannot be cut short)."""
        if self._warming is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._warming

    @app_commands.command(description="The players currently linked with a club")
    @app_commands.describe(club="A club: pick one from the list")
    @app_commands.guild_only()
    async def shortlist(self, interaction: discord.Interaction[Any], club: app_commands.Range[str, 1, 100]) -> None:
        """Rank the players linked with a club."""
        self.services.check_entity(club, EntityKind.CLUB)  # a wrong name is answered privately, before the defer
        await interaction.response.defer(thinking=True)
        result = await self.services.shortlist(guild_id=guild_of(interaction), query=club)
        await reply(interaction, shortlist_text(result), result.chart)

    @shortlist.autocomplete("club")
    async def club_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Clubs from the catalogue."""
        return choices(self.services.complete_entities(current, EntityKind.CLUB))

    @app_commands.command(description="A player's rumour timeline: which clubs, which outlets, when")
    @app_commands.describe(player="A player: pick one from the list")
    @app_commands.guild_only()
    async def rumours(self, interaction: discord.Interaction[Any], player: app_commands.Range[str, 1, 100]) -> None:
        """Show a player's rumours, hottest first."""
        self.services.check_entity(player, EntityKind.PLAYER)  # a wrong name is answered privately
        await interaction.response.defer(thinking=True)
        result = await self.services.rumours(guild_id=guild_of(interaction), query=player)
        await reply(interaction, timeline_text(result), result.chart)

    @rumours.autocomplete("player")
    async def player_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Players from the catalogue."""
        return choices(self.services.complete_entities(current, EntityKind.PLAYER))

    @app_commands.command(description="The newest transfer stories, optionally about one club or player")
    @app_commands.describe(about="A club or player (optional)")
    @app_commands.guild_only()
    async def latest(self, interaction: discord.Interaction[Any], about: str | None = None) -> None:
        """List the newest matched items."""
        await interaction.response.defer(thinking=True)
        result = await self.services.latest(guild_id=guild_of(interaction), query=about)
        await reply(interaction, latest_text(result))

    @latest.autocomplete("about")
    async def about_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Players and clubs from the catalogue."""
        return choices(self.services.complete_entities(current))

    @app_commands.command(description="Countdown to each league's transfer deadline")
    @app_commands.describe(league="One league (optional)")
    async def deadline(self, interaction: discord.Interaction[Any], league: str | None = None) -> None:
        """Show when each window closes, as Discord relative timestamps."""
        text = countdown_text(self.services.deadlines(league))
        await interaction.response.send_message(text, allowed_mentions=NO_MENTIONS)

    @deadline.autocomplete("league")
    async def league_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Leagues from the window calendar."""
        return choices(self.services.complete_leagues(current))


async def setup(bot: MercatoBot) -> None:
    """Load the Rumours cog."""
    await bot.add_cog(Rumours(bot))
