"""What an alert shows (:class:`~bot.models.AlertView`), built from an item and its story. Pure.

A *new* alert — a new story, a stage climb, a rumour-less item — shows the article that triggered
it: its title, link, summary and time. An *edit* (another outlet reported the same story at the
same stage) keeps the article the message was posted with and adds the newest report of the trail,
so a fan always sees what changed. The Discord side only lays the view out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.catalogue import Catalogue
from bot.describe import describe_entity, display_summary
from bot.models import AlertView, EntityKind, Rumour, Stage, StoredItem, Story
from bot.stories import best_report, heat

SUMMARY_CHARS = 280
MAX_LINES = 5


def safe_link(link: str | None) -> str | None:
    """Keep only http(s) links: Discord refuses others, and a feed must not smuggle in odd schemes."""
    if link and link.lower().startswith(("https://", "http://")) and len(link) <= 2000:
        return link
    return None


def pretty(value: str) -> str:
    """``advanced_talks`` -> ``advanced talks``, ``loan_option`` -> ``loan with option to buy``."""
    return {"loan_option": "loan with option to buy", "loan_obligation": "loan with obligation to buy"}.get(
        value, value.replace("_", " ")
    )


def build_alert_view(
    item: StoredItem, entity_ids: Sequence[str], catalogue: Catalogue, rumours: Sequence[Rumour] = ()
) -> AlertView:
    """Describe an item as an alert: who, linked with which clubs, from which outlet, when."""
    entities = [e for e in (catalogue.find(i) for i in entity_ids) if e is not None]
    players = [e for e in entities if e.kind is EntityKind.PLAYER]
    clubs = [e for e in entities if e.kind is EntityKind.CLUB]
    lines = []
    for player in players[:MAX_LINES]:
        linked = [r.to_club_id for r in rumours if r.player_id == player.id]
        if not linked:
            linked = [c.id for c in clubs if c.id != player.club_id]
        names = [catalogue.get(c).name for c in dict.fromkeys(linked) if catalogue.find(c) is not None]
        lines.append(f"{describe_entity(player, catalogue)} → {', '.join(names)}" if names else
                     describe_entity(player, catalogue))
    target = players[0] if players else (clubs[0] if clubs else None)
    return AlertView(
        title=" ".join(item.title.split()) or "(untitled)",
        link=safe_link(item.link),
        outlet=item.feed_title,
        summary=display_summary(item.summary, SUMMARY_CHARS),
        published=item.published_at,
        lines=tuple(lines),
        entities=tuple(e.name for e in entities),
        follow_entity_id=target.id if target else None,
        follow_label=target.name if target else None,
    )


def build_story_view(
    article: StoredItem,
    entity_ids: Sequence[str],
    story: Story,
    article_stories: Sequence[Story],
    catalogue: Catalogue,
    now: datetime,
) -> AlertView:
    """Describe a story's alert: ``article``'s text, every rumour it carries, the trail behind ``story``.

    Re-rendered on every further report, so the outlets, stage and heat shown are always current;
    the newest report of the trail is shown when it is not the article itself.
    """
    base = build_alert_view(article, entity_ids, catalogue)
    lines = []
    for s in sorted(article_stories, key=lambda s: (s.id != story.id, s.id))[:MAX_LINES]:
        player = catalogue.find(s.player_id)
        club = catalogue.find(s.to_club_id)
        if player is None or club is None:
            continue
        outlets = len(s.outlets)
        lines.append(f"{describe_entity(player, catalogue)} → {club.name} · {pretty(s.stage.value)} · "
                     f"{outlets} outlet{'s' if outlets != 1 else ''}")
    best = best_report(story.reports)
    own_outlet = next((r.outlet for r in story.reports if r.item_id == article.id), None)
    newest = story.newest
    latest = newest if newest is not None and newest.item_id != article.id else None
    return replace(
        base,
        lines=tuple(lines) or base.lines,
        stage=pretty(story.stage.value),
        deal=pretty(story.deal.value) if story.deal else None,
        fee=story.fee,
        source=(best.cited or best.outlet) if best is not None else None,
        tier=best.tier if best is not None else None,
        outlets=tuple(o for o in story.outlets if o != own_outlet),
        outlet_count=len(story.outlets),
        heat=heat(story.reports, story.stage, now),
        latest_report=f"{latest.outlet}: {' '.join(latest.title.split())}" if latest is not None else None,
        latest_link=safe_link(latest.link) if latest is not None else None,
    )


def climb_item(story: Story, stage: Stage | None) -> int:
    """The item that took ``story`` to ``stage`` (its first report at that stage); the head otherwise."""
    return next((r.item_id for r in story.reports if r.stage is stage), story.head_item_id)
