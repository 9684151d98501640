"""Plain-data views of pipeline results, shared by the CLI's text and JSON output and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.catalogue import Catalogue
from bot.catalogue.matcher import blank_boilerplate
from bot.catalogue.provisional import ProvisionalCandidate
from bot.models import Entity, EntityKind, MatchResult, Rumour


def describe_entity(entity: Entity, catalogue: Catalogue) -> str:
    """"Radu Drăgușin (Tottenham)" for players, "AC Milan" for clubs, "Chelsea Women (women's · WSL)"."""
    if entity.kind is EntityKind.PLAYER:
        club = catalogue.club_of(entity.id)
        return f"{entity.name} ({club.name})" if club else entity.name
    if entity.women:  # told apart from the men's club in every list ("OL Lyonnes" does not say it)
        return f"{entity.name} (women's · {entity.league})" if entity.league else f"{entity.name} (women's)"
    return entity.name


def display_summary(text: str, limit: int = 220) -> str:
    """A short summary for people: photo credits and bylines removed, whitespace collapsed, cut at a word."""
    cleaned = " ".join(blank_boilerplate(text).split())
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: limit - 1].rsplit(" ", 1)[0] + " …"


def match_to_dict(
    match: MatchResult,
    catalogue: Catalogue,
    rumours: list[dict[str, Any]] | None = None,
    provisional: Sequence[ProvisionalCandidate] = (),
) -> dict[str, Any]:
    """Return the `mercato match --json` object: players (with club and ``provisional`` flag), clubs, rumours."""
    players: list[dict[str, Any]] = []
    clubs: list[dict[str, Any]] = []
    for entity_id in match.entity_ids():
        entity = catalogue.find(entity_id)
        if entity is None:
            continue
        matched = match.spans_of(entity_id)
        if entity.kind is EntityKind.PLAYER:
            club = catalogue.club_of(entity_id)
            players.append(
                {"name": entity.name, "club": club.name if club else None, "matched": matched,
                 "provisional": entity.provisional}
            )
        else:
            clubs.append({"name": entity.name, "matched": matched})
    for candidate in provisional:  # names the catalogue lacks, found by bot.catalogue.provisional.detect
        club = catalogue.find(candidate.club_id) if candidate.club_id else None
        players.append({"name": candidate.name, "club": club.name if club else None, "matched": [candidate.name],
                        "provisional": True})
    return {"players": players, "clubs": clubs, "rumours": rumours or []}


def match_to_text(view: dict[str, Any], *, explain: bool = False) -> str:
    """Render a `match_to_dict` view for people."""
    lines = [f"Read as: {view['language']}"] if view.get("language") else []
    lines.append("Players:")
    for p in view["players"]:
        club = f" ({p['club']})" if p["club"] else ""
        flag = " [provisional]" if p.get("provisional") else ""
        lines.append(f"  {p['name']}{club}{flag}  matched: {', '.join(repr(s) for s in p['matched'])}")
    if not view["players"]:
        lines.append("  (none)")
    lines.append("Clubs:")
    for c in view["clubs"]:
        lines.append(f"  {c['name']}  matched: {', '.join(repr(s) for s in c['matched'])}")
    if not view["clubs"]:
        lines.append("  (none)")
    if view["rumours"]:
        lines.append("Rumours:")
        for r in view["rumours"]:
            src = r.get("source") or {}
            outlet = f", says {src['outlet']} (tier {src['tier']})" if src.get("outlet") else ""
            deal = f", {r['deal']}" if r.get("deal") else ""
            fee = f", {r['fee']}" if r.get("fee") else ""
            neg = " [denied/negated]" if r.get("negated") else ""
            lines.append(f"  {r['player']}: {r['from'] or '?'} -> {r['to']} ({r['stage']}{deal}{fee}){neg}{outlet}")
            if explain:
                lines.extend(f"      {e['wording']}: {e['text']!r} [{e['start']}:{e['end']}]" for e in r["evidence"])
    return "\n".join(lines)


def rumour_to_dict(rumour: Rumour, catalogue: Catalogue) -> dict[str, Any]:
    """The `mercato match --json` rumour object, with canonical names."""

    def name(entity_id: str | None) -> str | None:
        entity = catalogue.find(entity_id) if entity_id else None
        return entity.name if entity else None

    source = rumour.source
    return {
        "player": name(rumour.player_id),
        "from": name(rumour.from_club_id),
        "to": name(rumour.to_club_id),
        "stage": rumour.stage.value,
        "deal": rumour.deal.value if rumour.deal else None,
        "fee": rumour.fee,
        "negated": rumour.negated,
        "source": {"outlet": source.name if source else None, "tier": source.tier if source else None},
        "evidence": [{"wording": e.wording, "text": e.text, "start": e.start, "end": e.end} for e in rumour.evidence],
    }
