"""Filters on an alert's stories (issue 12): role pings and per-follow filters. Pure.

Both filters ask the same two questions of a story a new item reports: has it reached a stage, and is
the source the item gives for it reliable enough (tier at most N)? The tier is the story's own (the
source cited for that rumour, else the outlet), so a tier-1 name quoted about one story in an article
does not lend its tier to another; an item with no story has the item's best tier. They differ in
what the answer decides:

* a server's **ping rule** (:func:`ping_roles`) decides which roles the channel alert's first message
  mentions; a rule naming a club or player also brings the server the alert when no member follows it;
* a fan's **follow filter** (:func:`follow_passes`) decides only whether that fan is DMed. The server's
  channel is governed by the server's settings (channel, tier floor, ping rules), so a filtered follow
  still counts as the server's interest in the story: one fan's filter never hides news from the others.

A stage filter passes a story at that stage or above. A story that collapsed or was denied passes it
only if it had got that far first (a "here we go" that collapses is news for whoever waited for "here
we go"; the denial of a rumoured interest is not). An explicit tier filter needs a known tier: a source
of unknown reliability never passes "tier ≤ 2".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import Followers, FollowHit, IngestedItem, PingRule, Stage


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """One story an item reports, as the filters see it."""

    player_id: str
    to_club_id: str
    from_club_id: str | None
    stage: Stage
    previous_stage: Stage | None
    tier: int | None = None  # the source the item gives for this rumour (cited, else the outlet)

    def concerns(self, entity_id: str) -> bool:
        """True if the story is about this player, or this club buys or sells."""
        return entity_id in (self.player_id, self.to_club_id, self.from_club_id)


def story_facts(ingested: IngestedItem, tier: int | None) -> list[StoryFacts]:
    """The stories an item reports, with the club each player would leave and the tier of the source given
    for each (from the item's rumours; ``tier``, the item's best, where the rumour's source is unknown)."""
    rumours = {(r.player_id, r.to_club_id): r for r in ingested.rumours}
    facts = []
    for u in ingested.stories:
        rumour = rumours.get((u.player_id, u.to_club_id))
        source = rumour.source if rumour is not None else None
        own = source.tier if source is not None and source.known else tier
        facts.append(StoryFacts(u.player_id, u.to_club_id, rumour.from_club_id if rumour else None, u.stage,
                                u.previous_stage, own))
    return facts


def reaches(stage: Stage, previous: Stage | None, min_stage: Stage | None) -> bool:
    """Whether a story now at ``stage`` (before: ``previous``) passes a "from ``min_stage``" filter."""
    if min_stage is None:
        return True
    if stage.is_negative:  # the move is off: news only for whoever waited for a stage it had reached
        return previous is not None and not previous.is_negative and previous.rank >= min_stage.rank
    return stage.rank >= min_stage.rank


def within_tier(tier: int | None, max_tier: int | None) -> bool:
    """Whether a best source tier passes a "tier ≤ ``max_tier``" filter (an unknown tier never does)."""
    return max_tier is None or (tier is not None and tier <= max_tier)


def rule_passes(rule: PingRule, facts: Sequence[StoryFacts], mentioned: Iterable[str], tier: int | None) -> bool:
    """Whether one ping rule fires for an item with these stories, mentions and best tier.

    With stories, one story must concern the rule's club and player and reach its stage. An item that
    reports no rumour has no stage: it passes only a rule without a stage, by mentioning what it names.
    """
    if not facts:
        named = {e for e in (rule.club_id, rule.player_id) if e is not None}
        return rule.min_stage is None and named <= set(mentioned) and within_tier(tier, rule.max_tier)
    return any(
        (rule.club_id is None or rule.club_id in (f.to_club_id, f.from_club_id))
        and (rule.player_id is None or rule.player_id == f.player_id)
        and reaches(f.stage, f.previous_stage, rule.min_stage)
        and within_tier(f.tier, rule.max_tier)
        for f in facts
    )


def ping_roles(rules: Sequence[PingRule], ingested: IngestedItem, tier: int | None) -> tuple[int, ...]:
    """The roles a server's channel alert for this item mentions: each role with a rule that fires, once."""
    facts = story_facts(ingested, tier)
    mentioned = ingested.match.entity_ids()
    return tuple(sorted({r.role_id for r in rules if rule_passes(r, facts, mentioned, tier)}))


def follow_passes(hit: FollowHit | Followers, ingested: IngestedItem, tier: int | None) -> bool:
    """Whether a follow's filter lets this item through to the fan's DMs.

    One of the item's stories about what the follow names (any story, for a text follow) must pass; an
    item with no such story has no stage (it never passes a stage filter) and the item's best tier.
    """
    if hit.min_stage is None and hit.max_tier is None:
        return True
    relevant = [f for f in story_facts(ingested, tier) if hit.entity_id is None or f.concerns(hit.entity_id)]
    if not relevant:
        return hit.min_stage is None and within_tier(tier, hit.max_tier)
    return any(reaches(f.stage, f.previous_stage, hit.min_stage) and within_tier(f.tier, hit.max_tier)
               for f in relevant)


def describe_filter(min_stage: Stage | None, max_tier: int | None) -> str:
    """``from talks, tier ≤ 2``; empty when nothing is filtered."""
    parts = []
    if min_stage is not None:
        parts.append(f"from {min_stage.value.replace('_', ' ')}")
    if max_tier is not None:
        parts.append(f"tier ≤ {max_tier}")
    return ", ".join(parts)


def positive_stages() -> list[Stage]:
    """The stages a filter can start from (a move's progress, not its end)."""
    return [s for s in Stage if not s.is_negative]
