"""/alerts, /feeds and /status: a server's setup, for members with Manage Server.

The permission is declared (``default_permissions``: Discord hides the commands from others) and
checked again here at run time, because server admins can override the declared default.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.digests.schedule import zone_choices
from bot.errors import InvalidInput
from bot.models import EntityKind, Stage
from cogs.client import Choices, MercatoBot, MercatoCog, choices, guild_of
from cogs.embeds import feed_line, feeds_text, status_text, ts
from cogs.explain import ping_added, ping_line, pings_text
from cogs.follow import STAGE_CHOICES
from cogs.render import safe_text
from cogs.tree import send_ephemeral

MANAGE_SERVER = discord.Permissions(manage_guild=True)
LIVE_STAGES = [app_commands.Choice(name=s.value.replace("_", " "), value=s.value) for s in Stage if not s.is_negative]
TEXT_SET = ("Alerts will be posted in {}. Make sure I can view that channel, send messages and embed links "
            "there.")
FORUM_SET = ("Alerts will be posted in {} as one post per story (title “Player → Club”, tagged with the club "
             "and the stage); each further report is a reply in its post. Make sure I can view that forum, "
             "create posts, send messages in posts and embed links there; with Manage Channels I also create "
             "the tags it lacks.")


class Admin(MercatoCog):
    """Server settings."""

    alerts = app_commands.Group(
        name="alerts", description="Where and how this server gets alerts", guild_only=True,
        default_permissions=MANAGE_SERVER,
    )
    feeds = app_commands.Group(
        name="feeds", description="This server's extra feeds", guild_only=True, default_permissions=MANAGE_SERVER
    )

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Refuse members without Manage Server, whatever the server's command permissions say."""
        allowed = interaction.permissions.manage_guild
        if interaction.type is discord.InteractionType.autocomplete:
            return allowed  # no error reply is possible to an autocomplete: just offer nothing
        if not allowed:
            raise app_commands.MissingPermissions(["manage_guild"])
        return await super().interaction_check(interaction)

    @alerts.command(name="channel", description="Post this server's alerts in a channel")
    @app_commands.describe(channel="A text channel (a message per alert) or a forum (a post per story)")
    async def alerts_channel(
        self, interaction: discord.Interaction[Any], channel: discord.TextChannel | discord.ForumChannel
    ) -> None:
        """Set the alert channel (and clear a recorded failure)."""
        if channel.type is discord.ChannelType.media:  # discord.py's ForumChannel also stands for media channels
            raise InvalidInput("Pick a text channel or a forum: a media channel only takes posts with a picture.")
        forum = isinstance(channel, discord.ForumChannel)
        await self.services.set_alert_channel(guild_id=guild_of(interaction), channel_id=channel.id, forum=forum)
        await send_ephemeral(interaction, FORUM_SET.format(channel.mention) if forum else TEXT_SET.format(
            channel.mention))

    @alerts.command(name="off", description="Stop posting alerts in this server (DMs continue)")
    async def alerts_off(self, interaction: discord.Interaction[Any]) -> None:
        """Unset the alert channel."""
        await self.services.set_alert_channel(guild_id=guild_of(interaction), channel_id=None)
        await send_ephemeral(interaction, "Channel alerts are off. `/alerts channel` turns them back on.")

    @alerts.command(name="tier", description="Hide alerts whose best source is less reliable than this tier")
    @app_commands.describe(tier="0 = the club itself … 5 = aggregators; 3 hides tiers 4 and 5")
    async def alerts_tier(self, interaction: discord.Interaction[Any], tier: app_commands.Range[int, 0, 5]) -> None:
        """Set the tier floor."""
        await self.services.set_tier_floor(guild_id=guild_of(interaction), tier=tier)
        hidden = "nothing is hidden" if tier == 5 else f"tiers {tier + 1}-5 are hidden"
        await send_ephemeral(interaction, f"Tier floor set to {tier}: {hidden}.")

    @alerts.command(name="leadtime", description="How long before a window closes fans in deadline mode get DMs")
    @app_commands.describe(hours="Hours before the deadline (default 72)")
    async def alerts_leadtime(
        self, interaction: discord.Interaction[Any], hours: app_commands.Range[int, 1, 336]
    ) -> None:
        """Set the deadline DM lead time."""
        await self.services.set_lead_hours(guild_id=guild_of(interaction), hours=hours)
        await send_ephemeral(interaction, f"Deadline DMs start {hours} h before a relevant window closes.")

    @alerts.command(name="ping", description="Mention a role on alerts that pass a filter (club, player, stage, tier)")
    @app_commands.describe(
        role="The role to mention",
        club="Only stories about this club (buying or selling)",
        player="Only stories about this player",
        min_stage="Only from this stage up (e.g. here we go)",
        max_tier="Only from sources this reliable or better (0 = the club itself … 5 = aggregators)",
    )
    @app_commands.choices(min_stage=STAGE_CHOICES)
    async def alerts_ping(
        self,
        interaction: discord.Interaction[Any],
        role: discord.Role,
        club: app_commands.Range[str, 1, 100] | None = None,
        player: app_commands.Range[str, 1, 100] | None = None,
        min_stage: str | None = None,
        max_tier: app_commands.Range[int, 0, 5] | None = None,
    ) -> None:
        """Add a role-ping rule."""
        line, added = await self.services.add_ping(guild_id=guild_of(interaction), role_id=role.id, club=club,
                                                   player=player, min_stage=min_stage, max_tier=max_tier)
        can_ping = role.mentionable or interaction.app_permissions.mention_everyone
        await send_ephemeral(interaction, ping_added(line, added, can_ping=can_ping))

    @alerts_ping.autocomplete("club")
    async def ping_club_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Clubs from the catalogue."""
        return choices(self.services.complete_entities(current, EntityKind.CLUB))

    @alerts_ping.autocomplete("player")
    async def ping_player_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Players from the catalogue."""
        return choices(self.services.complete_entities(current, EntityKind.PLAYER))

    @alerts.command(name="pings", description="The roles this server's alerts mention, and when")
    async def alerts_pings(self, interaction: discord.Interaction[Any]) -> None:
        """List the role-ping rules."""
        await send_ephemeral(interaction, pings_text(await self.services.ping_lines(guild_id=guild_of(interaction))))

    @alerts.command(name="unping", description="Stop mentioning a role on alerts")
    @app_commands.describe(ping="One of this server's role pings")
    async def alerts_unping(self, interaction: discord.Interaction[Any], ping: app_commands.Range[str, 1, 100]) -> None:
        """Remove a role-ping rule."""
        removed = await self.services.remove_ping(guild_id=guild_of(interaction), value=ping)
        await send_ephemeral(interaction, f"Alerts no longer mention {ping_line(removed)}.")

    @alerts_unping.autocomplete("ping")
    async def unping_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """This server's rules, by role name and filter."""
        names = {role.id: role.name for role in interaction.guild.roles} if interaction.guild else {}
        found = await self.services.complete_pings(guild_id=guild_of(interaction), current=current, role_names=names)
        return choices(found)

    @alerts.command(name="timezone", description="The time zone of this server's digests")
    @app_commands.describe(zone="An IANA time zone, like Europe/London or America/New_York: pick one from the list")
    async def alerts_timezone(
        self, interaction: discord.Interaction[Any], zone: app_commands.Range[str, 1, 64]
    ) -> None:
        """Set the server's time zone; its digests keep their local time."""
        name, digests = await self.services.digests.set_timezone(guild_id=guild_of(interaction), zone=zone)
        moved = "".join(f"\nNext {'server' if d.is_server else 'member'} digest: {ts(d.next_at, 'f')}."
                        for d in digests[:3])
        await send_ephemeral(interaction, f"Time zone set to **{name}**: digests come at their local time there."
                             f"{moved}")

    @alerts_timezone.autocomplete("zone")
    async def zone_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """Time zones whose name contains what was typed."""
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    @alerts.command(name="min_stage", description="Post live alerts only from this stage on; the digest has them all")
    @app_commands.describe(stage="interest (the default) posts every stage; here we go posts only the final steps")
    @app_commands.choices(stage=LIVE_STAGES)
    async def alerts_min_stage(self, interaction: discord.Interaction[Any], stage: str) -> None:
        """Set the lowest stage posted live in the alert channel."""
        chosen = await self.services.digests.set_min_stage(guild_id=guild_of(interaction), stage=stage)
        if chosen is None:
            await send_ephemeral(interaction, "Every stage is posted live in the alert channel.")
            return
        await send_ephemeral(interaction, f"Live alerts start at **{chosen.value.replace('_', ' ')}** (denials and "
                             "collapses always pass). Earlier stages reach only the daily digest: "
                             "`/digest server daily` if this server has none.")

    @feeds.command(name="add", description="Read an extra RSS or Atom feed for this server")
    @app_commands.describe(url="The feed's address (http or https)")
    async def feeds_add(self, interaction: discord.Interaction[Any], url: app_commands.Range[str, 1, 500]) -> None:
        """Check the URL and add the feed."""
        await interaction.response.defer(ephemeral=True, thinking=True)  # the URL check resolves DNS
        line = await self.services.add_feed(guild_id=guild_of(interaction), user_id=interaction.user.id, url=url)
        await send_ephemeral(interaction, f"Added {feed_line(line)}\nIt is read on the next poll; what it already "
                             "carries is stored, not alerted.")

    @feeds.command(name="remove", description="Stop reading one of this server's extra feeds")
    @app_commands.describe(url="One of this server's feeds")
    async def feeds_remove(self, interaction: discord.Interaction[Any], url: app_commands.Range[str, 1, 500]) -> None:
        """Remove a feed of this server."""
        removed = await self.services.remove_feed(guild_id=guild_of(interaction), url=url)
        await send_ephemeral(interaction, f"Removed {safe_text(removed, 500, single_line=True)}.")

    @feeds_remove.autocomplete("url")
    async def feeds_complete(self, interaction: discord.Interaction[Any], current: str) -> Choices:
        """This server's feeds."""
        return choices(await self.services.complete_feeds(guild_id=guild_of(interaction), current=current))

    @feeds.command(name="list", description="This server's extra feeds and their health")
    async def feeds_list(self, interaction: discord.Interaction[Any]) -> None:
        """List this server's feeds."""
        await send_ephemeral(interaction, feeds_text(await self.services.feeds(guild_id=guild_of(interaction))))

    @app_commands.command(description="Feed health, polling, deadline mode and alert queue for this server")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """Show this server's status."""
        await send_ephemeral(interaction, status_text(await self.services.status(guild_id=guild_of(interaction))))


async def setup(bot: MercatoBot) -> None:
    """Load the Admin cog."""
    await bot.add_cog(Admin(bot))
