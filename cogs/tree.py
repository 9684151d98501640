"""The bot's command tree: one place that turns app-command errors into short ephemeral replies.

Use it with ``commands.Bot(..., tree_cls=MercatoTree)``. Commands then just raise
``bot.errors.MercatoError`` subclasses (``InvalidInput("…")``, ``NotFound("…")``…) and the user sees
the message; anything unexpected is logged with the command and its options, and the user gets
a short apology instead of "The application did not respond".
"""

from __future__ import annotations

import logging
from typing import Any, Final

import discord
from discord import app_commands

from bot.errors import MercatoError
from cogs.render import CONTENT_LIMIT, NO_MENTIONS, truncate

log = logging.getLogger(__name__)

APOLOGY: Final = "Sorry, something went wrong on our side. It has been logged; please try again later."
NOT_ALLOWED: Final = "You are not allowed to use this command here."
GUILD_ONLY: Final = "This command only works in a server."

# Discord's UI names for the permissions our checks use; others fall back to "Manage Threads"-style.
_PERMISSION_NAMES: Final = {
    "manage_guild": "Manage Server",
    "administrator": "Administrator",
    "manage_channels": "Manage Channels",
    "manage_roles": "Manage Roles",
    "manage_messages": "Manage Messages",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "view_channel": "View Channel",
}


def permission_names(missing: list[str]) -> str:
    """Render permission attribute names as Discord shows them: "Manage Server and Embed Links"."""
    names = [_PERMISSION_NAMES.get(p, p.replace("_", " ").title()) for p in missing]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _needs(who: str, missing: list[str]) -> str:
    """Build "You need the Manage Server permission to use this command." (or "I need …")."""
    noun = "permission" if len(missing) == 1 else "permissions"
    return f"{who} need the {permission_names(missing)} {noun} to use this command."


def interaction_options(interaction: discord.Interaction) -> dict[str, Any]:
    """Flatten the interaction's options into ``{"name": value}`` (subcommands drop out), for logs."""
    out: dict[str, Any] = {}

    def walk(options: list[dict[str, Any]]) -> None:
        for option in options:
            if "options" in option:
                walk(option["options"])
            elif "value" in option:
                out[option["name"]] = option["value"]

    data: dict[str, Any] = dict(interaction.data or {})
    walk(list(data.get("options") or []))
    return out


async def send_ephemeral(
    interaction: discord.Interaction, content: str | None = None, *, embed: discord.Embed | None = None
) -> None:
    """Reply ephemerally, as the first response or as a followup if the interaction was already answered.

    Mentions are always disabled, so echoing user or feed text can never ping anyone.
    """
    kwargs: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_MENTIONS}
    if embed is not None:
        kwargs["embed"] = embed
    if content is not None:
        kwargs["content"] = truncate(content, CONTENT_LIMIT)
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def command_name(interaction: discord.Interaction) -> str:
    """Return "/name sub" for logs, even when the command could not be resolved."""
    if interaction.command is not None:
        return "/" + interaction.command.qualified_name
    data: dict[str, Any] = dict(interaction.data or {})
    return "/" + str(data.get("name", "?"))


def describe_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> str:
    """Return the text to show for ``error``, logging it first if it is a bug."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(cause, app_commands.TransformerError) and isinstance(cause.__cause__, MercatoError):
        cause = cause.__cause__
    if isinstance(cause, MercatoError):
        return str(cause)
    if isinstance(cause, app_commands.MissingPermissions):
        return _needs("You", cause.missing_permissions)
    if isinstance(cause, app_commands.BotMissingPermissions):
        return _needs("I", cause.missing_permissions)
    if isinstance(cause, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {cause.retry_after:.0f} seconds."
    if isinstance(cause, app_commands.NoPrivateMessage):
        return GUILD_ONLY
    if isinstance(cause, app_commands.CheckFailure):
        return NOT_ALLOWED
    if isinstance(cause, app_commands.TransformerError):
        return str(cause)
    log.exception(
        "Unhandled error in command %s with options %r",
        command_name(interaction),
        interaction_options(interaction),
        exc_info=cause,
    )
    return APOLOGY


class MercatoTree(app_commands.CommandTree):
    """A ``CommandTree`` whose ``on_error`` answers the user ephemerally for every error."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        """Turn ``error`` into an ephemeral reply; log it if it was not expected."""
        command = interaction.command
        if command is not None and command._has_any_error_handlers():
            return  # the command's own @command.error handler deals with it (same rule as discord.py's default)
        message = describe_error(interaction, error)
        try:
            await send_ephemeral(interaction, message)
        except discord.HTTPException as exc:
            # Typically the interaction expired (10062) or was already answered elsewhere: nothing more to do.
            log.warning("Could not send the error reply for %s: %s", command_name(interaction), exc)
