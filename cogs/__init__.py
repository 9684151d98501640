"""Discord adapter layer: slash commands, embeds, delivery. Thin; all logic lives in bot/."""
