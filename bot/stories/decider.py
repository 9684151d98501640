"""The story decider: which story each reported rumour joins or opens. Pure: data in, intents out.

A story is one player linked with one club (player → to-club) over a time window. Every item that
carries that rumour adds a *report* to the story's trail; the earliest report is its head. The
entity pair decides membership — never titles, since "AC Milan bid for Højlund" and "Inter bid
for Højlund" read alike but are different stories. A report joins the newest story of its pair
whose last report is at most ``window`` before it; otherwise it opens a new story. A story keeps
its highest stage, so a report at a higher stage *climbs* it (a new alert) and a repeat is an edit.

The ingest transaction loads the candidate stories, calls :func:`decide` and writes what it
returns; ``make eval`` scores this same function on the labelled corpus (``bench/eval.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.models import ItemRumours, NewReport, ReportedRumour, Stage, Story, StoryDecision, StoryUpdate

STORY_WINDOW = timedelta(days=10)  # a report more than this after a story's last one starts a new story


def decide(
    items: Sequence[ItemRumours],
    candidates: Sequence[Story],
    next_id: int,
    *,
    window: timedelta = STORY_WINDOW,
) -> StoryDecision:
    """Place every rumour of ``items`` (taken in time order) into a story.

    ``candidates`` are the stored stories of the batch's pairs that may still be open; ``next_id``
    is the id the first new story gets. Items of one batch see each other: a second outlet's report
    in the same poll joins the story the first one opened.
    """
    decision = StoryDecision(updates=[[] for _ in items])
    open_: dict[tuple[str, str], Story] = {}
    for story in sorted(candidates, key=lambda s: s.last_at):  # the newest story of a pair wins
        open_[(story.player_id, story.to_club_id)] = story
    for index in sorted(range(len(items)), key=lambda i: (items[i].published, items[i].item_id)):
        item = items[index]
        for rumour in item.rumours:
            pair = (rumour.player_id, rumour.to_club_id)
            current = open_.get(pair)
            if current is None or current.last_at < item.published - window:
                story, previous = _open(rumour, item, next_id), None
                next_id += 1
                decision.opened[story.id] = story
            else:
                previous = current.stage
                story = _join(current, rumour, item.published)
                (decision.opened if story.id in decision.opened else decision.changed)[story.id] = story
            open_[pair] = story
            decision.reports.append(NewReport(story.id, item.item_id, item.published, rumour))
            decision.updates[index].append(
                StoryUpdate(story.id, story.player_id, story.to_club_id, story.stage, previous, previous is None)
            )
    return decision


def _open(rumour: ReportedRumour, item: ItemRumours, story_id: int) -> Story:
    return Story(
        id=story_id,
        player_id=rumour.player_id,
        to_club_id=rumour.to_club_id,
        from_club_id=rumour.from_club_id,
        stage=rumour.stage,
        deal=rumour.deal,
        fee=rumour.fee,
        head_item_id=item.item_id,
        first_at=item.published,
        last_at=item.published,
    )


def _join(story: Story, rumour: ReportedRumour, published: datetime) -> Story:
    """The story after one more report: highest stage, latest time, newest deal and fee."""
    stage: Stage = rumour.stage if rumour.stage.rank > story.stage.rank else story.stage
    return replace(
        story,
        stage=stage,
        last_at=max(story.last_at, published),
        from_club_id=story.from_club_id or rumour.from_club_id,
        deal=rumour.deal or story.deal,
        fee=rumour.fee or story.fee,
    )


def primary(updates: Sequence[StoryUpdate]) -> StoryUpdate | None:
    """The story an item's alert is about: the most advanced stage, then the first reported."""
    if not updates:
        return None
    return max(enumerate(updates), key=lambda pair: (pair[1].stage.rank, -pair[0]))[1]
