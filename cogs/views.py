"""The persistent buttons on alerts: "Follow <name>" and "Why?".

Each is a :class:`discord.ui.DynamicItem` whose custom_id carries what a press needs, so it is
understood after any restart without keeping views in memory:

* Follow: the server and the entity (``mercato:follow:<guild id>:<entity id>``); the server id
  matters for DMs, which have no server of their own;
* Why?: the outbox row the message delivered (``mercato:why:<row id>``); the answer is built from
  storage when pressed (bot.alerts.why) and only the alert's server or fan may read it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import MercatoError
from bot.models import AlertView
from cogs.embeds import follow_reply
from cogs.explain import why_text
from cogs.tree import send_ephemeral

if TYPE_CHECKING:
    from cogs.client import MercatoBot

PREFIX = "mercato:follow:"
WHY_PREFIX = "mercato:why:"
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80


class FollowButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"mercato:follow:(?P<guild>\d+):(?P<entity>[a-z]+:[\w.-]+)",
):
    """Follows the alert's player or club for whoever presses it; answers ephemerally."""

    def __init__(self, guild_id: int, entity_id: str, name: str | None = None) -> None:
        label = f"Follow {name}" if name else "Follow"
        super().__init__(
            discord.ui.Button(
                label=label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…",
                style=discord.ButtonStyle.primary,
                custom_id=custom_id(guild_id, entity_id),
            )
        )
        self.guild_id = guild_id
        self.entity_id = entity_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FollowButton:
        """Rebuild the button from a pressed custom_id (after a restart too)."""
        return cls(int(match["guild"]), match["entity"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Follow for the presser, in the server where they pressed (or the alert's server, in a DM)."""
        bot: MercatoBot = interaction.client
        guild_id = interaction.guild_id or self.guild_id
        try:
            await bot.services.user_active(interaction.user.id)
            result = await bot.services.follow(guild_id=guild_id, user_id=interaction.user.id, query=self.entity_id)
        except MercatoError as exc:  # e.g. the follow limit: say so instead of failing silently
            await send_ephemeral(interaction, str(exc))
            return
        await send_ephemeral(interaction, follow_reply(result))


def custom_id(guild_id: int, entity_id: str) -> str:
    """The button's custom_id for a server and an entity."""
    return f"{PREFIX}{guild_id}:{entity_id}"


def follow_view(guild_id: int, entity_id: str | None, name: str | None) -> discord.ui.View | None:
    """A view holding the Follow button, or None if there is nothing to follow."""
    if entity_id is None or len(custom_id(guild_id, entity_id)) > CUSTOM_ID_LIMIT:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(FollowButton(guild_id, entity_id, name))
    return view


class WhyButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"mercato:why:(?P<row>\d+)",
):
    """Explains, ephemerally and to whoever presses it, why this alert reached this channel or fan."""

    def __init__(self, row_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Why?", style=discord.ButtonStyle.secondary, custom_id=f"{WHY_PREFIX}{row_id}")
        )
        self.row_id = row_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> WhyButton:
        """Rebuild the button from a pressed custom_id (after a restart too)."""
        return cls(int(match["row"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer with the routing, the rumour's wordings and spans, and the source (bot.alerts.why)."""
        bot: MercatoBot = interaction.client
        try:
            why = await bot.services.why(row_id=self.row_id, user_id=interaction.user.id, guild_id=interaction.guild_id)
        except MercatoError as exc:  # the alert was forgotten, or it is another server's
            await send_ephemeral(interaction, str(exc))
            return
        await send_ephemeral(interaction, why_text(why))



def alert_buttons(guild_id: int, view: AlertView) -> discord.ui.View | None:
    """The buttons under an alert: Follow (when it names someone to follow) and Why? (when it has a row)."""
    buttons = follow_view(guild_id, view.follow_entity_id, view.follow_label) or discord.ui.View(timeout=None)
    if view.why_id is not None:
        buttons.add_item(WhyButton(view.why_id))
    return buttons if buttons.children else None
