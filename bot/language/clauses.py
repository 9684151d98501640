"""Clauses and claims: the units the reader links players and clubs within.

A sentence is split at clause breaks ("; ", ", but", " while " …: wordings of the ``clause-break``
category) so that cues stay local; at an "and" that starts a new subject with its own move; and a
relative clause about a companion player becomes a clause of its own with him as its subject. A
BBC-style gossip digest is grouped into *claims*: runs of sentences each ending with a cited outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.language import cues as cue
from bot.language.context import Context, is_club, is_player
from bot.models import Mention
from bot.sources import SourceDirectory

__all__ = ["Clause", "claims", "split_clauses", "split_coordinated", "split_relatives"]

_CITED_END = re.compile(r"\(([^()]{1,60})\)\.?\s*$")
_CITATION_SPLIT = re.compile(r"\s+[-–]\s+|,")


@dataclass(slots=True)
class Clause:
    """A clause in folded offsets, with its sentence and whether it is in the headline."""

    start: int
    end: int
    sentence: int
    title: bool = False
    subject: str | None = None  # the companion player a relative clause (", who …") is about


def split_clauses(ctx: Context, start: int, end: int, sentence: int, *, title: bool = False) -> list[Clause]:
    """Split a sentence (folded span) at clause breaks so that cues stay local."""
    clauses: list[Clause] = []
    cursor = start
    breaks = ctx.lang.cues("clause-break")
    found = breaks.pattern.finditer(ctx.folded, start, end) if ctx.search(breaks, start, end) else ()
    for match in found:
        if match.start() > cursor:
            clauses.append(Clause(cursor, match.start(), sentence, title))
        cursor = match.end()
    if cursor < end:
        clauses.append(Clause(cursor, end, sentence, title))
    return clauses


def split_coordinated(ctx: Context, clauses: list[Clause]) -> list[Clause]:
    """Split "X want A and Y have made an offer for B" into two clauses, so neither move borrows the other's.

    Only at an "and" that starts a new subject (a club or player is named right after it), when each
    side names a player or club pair of its own and carries a transfer word: "Milan and Roma want X"
    and "Drăgușin and Aké are on Milan's list" stay whole.
    """
    coordination = ctx.lang.cues("coordination")
    joiner = coordination.pattern
    out: list[Clause] = []
    for clause in clauses:
        if not ctx.may_find(coordination, clause.start, clause.end):
            out.append(clause)
            continue
        cursor = clause.start
        for found in joiner.finditer(ctx.folded, clause.start, clause.end):
            if not ctx.within(found.end(), found.end() + 1):
                continue
            left, right = (cursor, found.start()), (found.end(), clause.end)
            if all(_independent(ctx, *side) for side in (left, right)):
                out.append(replace(clause, start=cursor, end=found.start()))
                cursor = found.end()
        out.append(replace(clause, start=cursor) if cursor != clause.start else clause)
    return out


def _independent(ctx: Context, start: int, end: int) -> bool:
    """A stretch that could stand as its own transfer clause: a player, a club, and a transfer word."""
    named = [m.entity_id for _s, _e, m in ctx.within(start, end)]
    if not (any(is_player(e) for e in named) and any(is_club(e) for e in named)):
        return False
    if cue.stage_hits(ctx, start, end):
        return True
    move = ctx.lang.cues("move")
    return ctx.lang.may_match(move, ctx.present(start, end)) and move.pattern.search(ctx.cues[start:end]) is not None


def split_relatives(ctx: Context, clauses: list[Clause]) -> list[Clause]:
    """Give a relative clause about a companion its own clause, with him as its subject.

    "… a successor to Baleba, who remains a target for Manchester United": Baleba is no subject of
    the main clause, but he is the subject of the relative one.
    """
    if not ctx.companions:
        return clauses
    result: list[Clause] = []
    companions = _companion_mentions(ctx)
    for clause in clauses:
        for start, end, mention in companions:
            if not clause.start <= start < clause.end:
                continue
            relative = ctx.lang.relative_after.match(ctx.folded, end)
            if relative is None or relative.end() >= clause.end:
                continue
            result.append(Clause(clause.start, end, clause.sentence, clause.title, clause.subject))
            clause = Clause(relative.end(), clause.end, clause.sentence, clause.title, mention.entity_id)
        result.append(clause)
    return result


def _companion_mentions(ctx: Context) -> list[tuple[int, int, Mention]]:
    """The companions' mentions as (folded start, end, mention), in mention order; worked out once per run
    (only they can start a relative clause: looking at every mention for every sentence was quadratic)."""
    found = ctx.memo.get(("companion-mentions",))
    if found is None:
        found = ctx.memo[("companion-mentions",)] = [
            (start, end, mention) for mention in ctx.mentions for start, end in [ctx.fspan(mention)]
            if start in ctx.companions
        ]
    return found


def claims(ctx: Context, sources: SourceDirectory) -> list[list[int]]:
    """Group sentence indexes into claims. A gossip digest has several sentences ending "(Outlet)"."""
    text, sentences, title_end = ctx.doc.text, ctx.doc.sentences, ctx.doc.title_end
    cite_ends = set()
    for index, (start, end) in enumerate(sentences):
        if start < title_end or text[end - 1] not in ").":
            continue
        paren = _CITED_END.search(text, max(start, end - 64), end)
        if paren and sources.names_source(_CITATION_SPLIT.split(paren.group(1))[0]):
            cite_ends.add(index)
    if len(cite_ends) < 2:
        return [list(range(len(sentences)))]
    grouped: list[list[int]] = []
    current: list[int] = []
    for index, (start, _end) in enumerate(sentences):
        if start < title_end:
            grouped.append([index])
            continue
        current.append(index)
        if index in cite_ends:
            grouped.append(current)
            current = []
    if current:
        grouped.append(current)
    return grouped
