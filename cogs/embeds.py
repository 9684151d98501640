"""Pure layout: core views and results → Discord embeds and message text.

Every piece of text from a feed (titles, summaries, outlet names) and from users (free-text terms)
goes through :func:`cogs.render.safe_text`, so markdown and mention syntax show as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.feedlist import FeedLine
from bot.models import AlertView, DigestView
from bot.services import Countdown, FollowLine, FollowResult, Headline, Latest, Shortlist, Status, Timeline
from cogs.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    safe_text,
)

COLOUR = discord.Colour(0x1F8B4C)
CHART_FILE = "heat.png"  # the attachment's name; the embed shows it as attachment://heat.png


def ts(moment: datetime, style: str = "R") -> str:
    """A Discord timestamp (``<t:…:R>`` shows "in 3 days"), rendered in each reader's own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def link_target(url: str) -> str:
    """A URL safe inside ``[text](<url>)``: brackets and spaces escaped; ``<>`` also stops the preview."""
    return url.replace(" ", "%20").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def alert_embed(view: AlertView) -> discord.Embed:
    """The alert: linked title, player → clubs lines, short summary, outlet, publication time."""
    lines = [safe_text(line, 300, single_line=True) for line in view.lines]
    body = "\n".join(f"**{line}**" for line in lines)
    if view.summary:
        body = f"{body}\n\n{safe_text(view.summary, 1000)}" if body else safe_text(view.summary, 1000)
    embed = discord.Embed(
        title=safe_text(view.title, TITLE_LIMIT, single_line=True),
        url=view.link,
        description=body[:DESCRIPTION_LIMIT] or None,
        colour=COLOUR,
        timestamp=view.published,
    )
    if view.outlet:
        embed.add_field(name="Outlet", value=safe_text(view.outlet, FIELD_VALUE_LIMIT, single_line=True))
    embed.add_field(name="Published", value=ts(view.published))
    for name, value in (("Stage", view.stage), ("Deal", view.deal), ("Fee", view.fee), ("Source", view.source)):
        if value:
            embed.add_field(name=name, value=safe_text(value, FIELD_VALUE_LIMIT, single_line=True))
    if view.tier is not None:
        embed.add_field(name="Tier", value=str(view.tier))
    if view.outlet_count is not None:
        embed.add_field(name="Outlets", value=str(view.outlet_count))
    if view.heat is not None:
        embed.add_field(name="Heat", value=f"{view.heat:.2f}")
    if view.outlets:
        embed.add_field(name="Also reported by", value=safe_text(", ".join(view.outlets), FIELD_VALUE_LIMIT))
    if view.latest_report:
        latest = safe_text(view.latest_report, 200, single_line=True)
        value = f"[{latest}](<{link_target(view.latest_link)}>)" if view.latest_link else latest
        embed.add_field(name="Latest report", value=value[:FIELD_VALUE_LIMIT], inline=False)
    if view.entities:
        embed.set_footer(text=safe_text("Mentions: " + ", ".join(view.entities), FOOTER_LIMIT, single_line=True))
    return embed


def chart_embed() -> discord.Embed:
    """The embed that shows the attached heat chart."""
    embed = discord.Embed(colour=COLOUR, description="Heat of each story over the last 14 days; "
                          "a dot marks a stage reached, the legend counts the outlets.")
    return embed.set_image(url=f"attachment://{CHART_FILE}")


def digest_embed(view: DigestView, server: str | None = None) -> discord.Embed:
    """A daily digest: its stories hottest first, each with its newest report linked."""
    rows = []
    for rank, e in enumerate(view.entries, 1):
        current = f" ({safe_text(e.from_club, 60, single_line=True)})" if e.from_club else ""
        outlets = f"{e.outlets} outlet{'s' if e.outlets != 1 else ''}"
        rows.append(f"**{rank}. {safe_text(e.player, 80, single_line=True)}**{current} → "
                    f"**{safe_text(e.to_club, 60, single_line=True)}** · {e.stage} · {outlets} · heat {e.heat:.1f}")
        title = safe_text(e.title, 110, single_line=True)
        link = f"[{title}](<{link_target(e.link)}>)" if e.link else title
        rows.append(f"↳ {link} · {safe_text(e.outlet, 60, single_line=True)}")
    if view.more:
        rows.append(f"… and {view.more} more {'story' if view.more == 1 else 'stories'} today.")
    until = view.until.astimezone(ZoneInfo(view.zone))
    whose = ("what this server follows" if view.server else
             f"what you follow in {safe_text(server, 60, single_line=True)}" if server else "what you follow")
    embed = discord.Embed(title=f"Transfer digest · {until:%A} {until.day} {until:%B}", colour=COLOUR,
                          description=fit(rows, DESCRIPTION_LIMIT), timestamp=view.until)
    embed.set_footer(text=safe_text(f"Top stories by heat over the 24 h to {until:%H:%M} ({view.zone}) · {whose}",
                                    FOOTER_LIMIT, single_line=True))
    return embed


def headline(h: Headline) -> str:
    """One item as a line: linked title, outlet, relative time."""
    title = safe_text(h.title, 150, single_line=True)
    text = f"[{title}](<{link_target(h.link)}>)" if h.link else title
    outlet = f" · {safe_text(h.outlet, 80, single_line=True)}" if h.outlet else ""
    return f"{text}{outlet} · {ts(h.published)}"


def fit(lines: Iterable[str], limit: int = CONTENT_LIMIT) -> str:
    """Join lines, dropping whole lines at the end (with a note) to stay within a message's limit."""
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - 20:
            out.append("… and more")
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def follow_reply(result: FollowResult) -> str:
    """What /follow (and the Follow button) answers."""
    label = safe_text(result.label, 200, single_line=True)
    if result.is_term:
        first = (f"Nothing in the catalogue matches {label}, so I follow it as text: you'll hear about any "
                 "headline or summary that contains it.")
    elif result.added:
        first = f"Following **{label}** in this server."
    else:
        first = f"You already follow **{label}** in this server."
    latest = f"Latest: {headline(result.latest)}" if result.latest else "No news about it yet."
    if result.dm_filter:  # issue 12: a follow's filter governs the fan's DMs, not the server's channel
        first += f"\nYour DMs for it: only {result.dm_filter}. The server's alert channel is not affected."
    return f"{first}\n{latest}"


def following_list(lines: list[FollowLine]) -> str:
    """What /following answers."""
    if not lines:
        return "You don't follow anything in this server yet. Try `/follow dragusin`."
    rows = [f"**{safe_text(f.label, 150, single_line=True)}**" + (" (text)" if f.is_term else "")
            + (f" · DMs {f.dm_filter}" if f.dm_filter else "")
            + (f" — {headline(f.latest)}" if f.latest else " — no news yet") for f in lines]
    return fit([f"You follow {len(lines)} in this server:", *rows])


def shortlist_text(shortlist: Shortlist) -> str:
    """What /shortlist answers."""
    club = safe_text(shortlist.club, 100, single_line=True)
    if not shortlist.entries:
        return f"No players linked with **{club}** in recent news."
    rows = []
    for rank, e in enumerate(shortlist.entries, 1):
        current = f" ({safe_text(e.current_club, 80, single_line=True)})" if e.current_club else ""
        outlets = f"{e.outlets} outlet{'s' if e.outlets != 1 else ''}"
        facts = [safe_text(x, 60, single_line=True) for x in (e.stage, e.deal) if x]
        if e.source:
            tier = f" (tier {e.tier})" if e.tier is not None else ""
            facts.append(f"{safe_text(e.source, 60, single_line=True)}{tier}")
        facts.append(outlets)
        if e.heat is not None:
            facts.append(f"heat {e.heat:.1f}")
        rows.append(f"{rank}. **{safe_text(e.player, 100, single_line=True)}**{current} · {' · '.join(facts)} · "
                    f"latest {ts(e.latest)}")
    return fit([f"Players linked with **{club}**, hottest first:", *rows])


def timeline_text(timeline: Timeline) -> str:
    """What /rumours answers."""
    player = safe_text(timeline.player, 120, single_line=True)
    done = [f"✅ Completed move: {safe_text(line, 300, single_line=True)}" for line in timeline.moves]
    if not timeline.entries:
        return fit([*done, f"No rumours about **{player}** yet."]) if done else f"No rumours about **{player}** yet."
    rows = [*done]
    for e in timeline.entries:
        clubs = f"**{safe_text(', '.join(e.clubs), 200, single_line=True)}**" if e.clubs else ""
        stage = f" · {safe_text(e.stage, 40, single_line=True)}" if e.stage else ""
        trail = f" · {safe_text(', '.join(e.outlets), 300, single_line=True)}" if e.outlets else ""
        lead = f"{clubs}{stage}{trail} — " if clubs or stage or trail else ""
        rows.append(f"• {lead}{headline(e.headline)}")
    return fit([f"Rumours about **{player}**, newest first:", *rows])


def latest_text(latest: Latest) -> str:
    """What /latest answers."""
    about = f" about **{safe_text(latest.about, 120, single_line=True)}**" if latest.about else ""
    if not latest.headlines:
        return f"Nothing{about} yet."
    return fit([f"Latest{about}:", *(f"• {headline(h)}" for h in latest.headlines)])


def countdown_text(countdowns: list[Countdown]) -> str:
    """What /deadline answers."""
    if not countdowns:
        return "No upcoming transfer window closes are known."
    rows = [f"**{c.league}** ({c.window}{'' if c.confirmed else ', estimate'}): closes {ts(c.closes)} "
            f"({ts(c.closes, 'f')})" for c in countdowns]
    return fit(["Transfer deadlines:", *rows])


def feed_line(line: FeedLine) -> str:
    """One feed with its health."""
    title = f" ({safe_text(line.title, 80, single_line=True)})" if line.title else ""
    return f"{'✅' if line.ok else '⚠️'} <{link_target(line.url)}>{title}: {safe_text(line.health, 300)}"


def feeds_text(lines: list[FeedLine]) -> str:
    """What /feeds list answers."""
    if not lines:
        return "This server has no extra feeds. Add one with `/feeds add`."
    return fit(["This server's extra feeds:", *map(feed_line, lines)])


def status_text(status: Status) -> str:
    """What /status answers."""
    if status.alert_channel_id is None:
        channel = "off (set one with `/alerts channel`)"
    elif status.channel_failure:
        channel = (f"<#{status.alert_channel_id}> — **stopped**: {safe_text(status.channel_failure, 300)}. "
                   "Fix it, then run `/alerts channel` again.")
    else:
        channel = f"<#{status.alert_channel_id}>"
    if status.alert_channel_id is not None and status.alert_channel_forum:
        channel += " (forum: one post per story)"
    rows = [
        f"**Alert channel:** {channel}",
        f"**Tier floor:** {status.tier_floor} · **Deadline DMs lead time:** {status.lead_hours} h",
        f"**Deadline mode:** {'on (fast polling)' if status.deadline_mode else 'off'}",
        (f"**Last poll:** {ts(status.last_poll) if status.last_poll else 'not yet'} · "
         f"**Next poll:** {ts(status.next_poll) if status.next_poll else 'none scheduled'}"),
        f"**Alerts waiting to be posted here:** {status.queue}",
        f"**Feeds:** {status.global_feeds} default, {len(status.server_feeds)} added by this server",
        *map(feed_line, status.server_feeds),
        *map(feed_line, status.failing_feeds),
    ]
    return fit(rows)
