"""Pure layout for issue 12's answers: role pings (/alerts ping, /alerts pings) and the "Why?" button.

Feed text (outlets, titles, the spans the reader matched) goes through :func:`cogs.render.safe_text`.
Role mentions (``<@&id>``) in these ephemeral answers render as the role's name and ping nobody: every
reply is sent with ``allowed_mentions`` none.
"""

from __future__ import annotations

from bot.alerts.why import ReportWhy, Why
from bot.models import Evidence, TargetKind
from bot.pings import PingLine
from cogs.embeds import fit
from cogs.render import safe_text

MAX_EVIDENCE = 6  # wordings shown per report


def ping_line(line: PingLine) -> str:
    """``<@&id> — AC Milan · from here we go, tier ≤ 1``."""
    return f"<@&{line.role_id}> — {safe_text(line.about, 300, single_line=True)}"


def ping_added(line: PingLine, added: bool, *, can_ping: bool) -> str:
    """What /alerts ping answers."""
    first = (f"Alerts in the alert channel will mention {ping_line(line)}." if added
             else f"This server already has that ping: {ping_line(line)}.")
    notes = ["Edits of an alert never ping; a new stage that passes the filter is a new alert and pings again."]
    if not can_ping:
        notes.append("⚠️ The role is not mentionable and I lack **Mention @everyone, @here and All Roles**: Discord "
                     "will show the mention without notifying anyone. Make the role mentionable (Server Settings → "
                     "Roles) or give me that permission.")
    return "\n".join([first, *notes])


def pings_text(lines: list[PingLine]) -> str:
    """What /alerts pings answers."""
    if not lines:
        return ("This server pings no role. `/alerts ping role:@MilanNews club:AC Milan min_stage:here we go "
                "max_tier:1` is an example.")
    return fit([f"This server's role pings ({len(lines)}):", *(f"• {ping_line(line)}" for line in lines),
                "Remove one with `/alerts unping`."])


def why_text(why: Why) -> str:
    """What the "Why?" button answers."""
    rows = ["**Why this alert?**", *_routing(why)]
    if why.story:
        rows.append(f"**Rumour:** {safe_text(why.story, 200, single_line=True)}")
        rows.extend(_report(r) for r in why.reports)
        if why.more_reports:
            rows.append(f"… and {why.more_reports} more report{'s' if why.more_reports != 1 else ''}")
    elif why.mentions:
        names = safe_text(", ".join(why.mentions), 300, single_line=True)
        rows.append(f"**No rumour was read in it;** it mentions {names}.")
    if why.source:
        rows.append(f"**Source:** {safe_text(why.source, 100, single_line=True)}{_tier(why.tier)}")
    return fit(rows)


def _routing(why: Why) -> list[str]:
    if why.target is TargetKind.DM:
        if not why.yours:
            return ["Sent to you by DM for a follow you no longer have."]
        return [f"**Sent to you by DM** because you follow {_names(why.yours)} (your `/dm` mode: {why.dm_mode})."]
    channel = f"<#{why.alert_channel_id}>" if why.alert_channel_id else "this server's alert channel (now off)"
    rows = [f"**Posted in {channel}**, this server's alert channel (tier floor {why.tier_floor})."]
    one = why.followers == 1
    members = f"{why.followers} member{'' if one else 's'} here follow{'s' if one else ''}"
    if why.followers:
        yours = f"; you follow {_names(why.yours)}" if why.yours else ""
        rows.append(f"{members} what it mentions{yours}.")
    elif why.pings:
        rows.append("Nobody here follows what it mentions: it came for the role ping below.")
    rows.extend(f"**Pinged** {ping_line(line)}" for line in why.pings)
    return rows


def _report(report: ReportWhy) -> str:
    cited = f" citing {safe_text(report.cited, 80, single_line=True)}" if report.cited else ""
    outlet = safe_text(report.outlet, 80, single_line=True)
    found = " · ".join(_evidence(e) for e in report.evidence[:MAX_EVIDENCE]) or "no wording recorded"
    return f"• {outlet}{cited}{_tier(report.tier)}, {report.stage}: {found}"


def _evidence(evidence: Evidence) -> str:
    wording = evidence.wording.replace("`", "'")
    return f"“{safe_text(evidence.text, 80, single_line=True)}” (`{wording}`, chars {evidence.start}–{evidence.end})"


def _tier(tier: int | None) -> str:
    return f" (tier {tier})" if tier is not None else " (tier unknown)"


def _names(labels: tuple[str, ...]) -> str:
    return ", ".join(f"**{safe_text(label, 120, single_line=True)}**" for label in labels)
