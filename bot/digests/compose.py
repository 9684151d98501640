"""What a digest says: the day's top stories by heat among what a server or a member follows. Pure.

A story makes a day's digest when one of its reports (from a feed the server reads) was published in
the 24 hours before the digest's time and it is about a followed player or club (or a followed term
is in one of its headlines). Stories are ranked by heat at the digest's time (bot.stories.heat, over
the reports the server can see); a server's digest also leaves out stories whose best source is
less reliable than its tier floor. Every stage counts: alerts below a server's minimum live stage
reach its digest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final

from bot.catalogue.normalize import norm
from bot.models import DigestEntry, DigestView, Story, highest_stage
from bot.stories import best_report, heat

DAY: Final = timedelta(hours=24)
TOP: Final = 10  # stories in one digest: a busy day's ten fit one embed with room to spare


@dataclass(frozen=True, slots=True)
class Covered:
    """What a digest covers: followed entity ids and terms, the feeds the server reads, its tier floor."""

    entity_ids: frozenset[str]
    terms: tuple[str, ...]
    feed_ids: Container[int]
    tier_floor: int = 5


def _term_in(term: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text) is not None


def concerns(story: Story, covered: Covered) -> bool:
    """True if the story is about a followed player or club, or a followed term is in one of its headlines."""
    if covered.entity_ids & {story.player_id, story.to_club_id, story.from_club_id or ""}:
        return True
    terms = [norm(t) for t in covered.terms]
    return any(_term_in(t, norm(r.title)) for r in story.reports for t in terms if t)


def of_the_day(stories: Sequence[Story], covered: Covered, until: datetime) -> list[tuple[Story, float]]:
    """The stories of the 24 hours before ``until`` (as the server sees them), hottest first, with their heat."""
    since = until - DAY
    ranked: list[tuple[Story, float]] = []
    for story in stories:
        reports = tuple(r for r in story.reports if r.feed_id in covered.feed_ids and r.published <= until)
        if not any(r.published > since for r in reports) or not concerns(story, covered):
            continue
        best = best_report(reports)
        if best is not None and best.tier is not None and best.tier > covered.tier_floor:
            continue
        stage = highest_stage(r.stage for r in reports)
        if stage is None:
            continue
        seen = replace(story, reports=reports, stage=stage)  # the story as the server saw it by then
        ranked.append((seen, heat(reports, stage, until)))
    ranked.sort(key=lambda pair: (-pair[1], -pair[0].last_at.timestamp(), pair[0].id))
    return ranked


def entry(story: Story, story_heat: float, name: Callable[[str], str]) -> DigestEntry:
    """A story as a digest line: names resolved with ``name`` (entity id -> name), its newest report linked."""
    newest = max(story.reports, key=lambda r: (r.published, r.item_id))
    return DigestEntry(
        player=name(story.player_id),
        from_club=name(story.from_club_id) if story.from_club_id else None,
        to_club=name(story.to_club_id),
        stage=story.stage.value.replace("_", " "),
        heat=story_heat,
        outlets=len({r.outlet.casefold() for r in story.reports}),
        title=" ".join(newest.title.split()),
        link=newest.link,
        outlet=newest.outlet,
    )


def compose(
    ranked: Sequence[tuple[Story, float]], *, day: date, zone: str, until: datetime, server: bool,
    name: Callable[[str], str], top: int = TOP,
) -> DigestView:
    """The digest message: the ``top`` hottest stories, and how many more there were."""
    entries = tuple(entry(story, value, name) for story, value in ranked[:top])
    return DigestView(day, zone, until, server, entries, more=max(0, len(ranked) - top))
