"""Discord adapter layer: slash commands, embeds, delivery. Thin; all logic lives in bot/."""

#: Extensions the bot loads in ``setup_hook``, in order; one failing is logged, not fatal.
EXTENSIONS: tuple[str, ...] = (
    "cogs.follow",
    "cogs.rumours",
    "cogs.admin",
    "cogs.delivery",
    "cogs.digest",
    "cogs.privacy",
    "cogs.help",  # last: it lists every command the others registered
)
