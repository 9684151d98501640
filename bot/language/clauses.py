"""Clauses and claims: the units the reader links players and clubs within.

A sentence is split at clause breaks ("; ", ", but", " while " …: wordings of the ``clause-break``
category) so that cues stay local; at an "and" that starts a new subject with its own move; and a
relative clause about a companion player becomes a clause of its own with him as its subject. A
BBC-style gossip digest is grouped into *claims*: runs of sentences each ending with a cited outlet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.language import cues as cue
from bot.language.context import Context, is_club, is_player
from bot.models import Mention

if TYPE_CHECKING:  # bot.sources imports the language layer: a runtime import would be a cycle
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
    """Split a clause where a second move starts, so that neither move borrows the other's clubs.

    At an "and" (``coordination``/``and``) when each side names a player and a club of its own and
    carries a transfer word: "X want A and Y have made an offer for B", "Brentford have agreed to sell A
    to Atalanta and are in talks with Leeds over B". At any joint (an "and", or one that opens a new
    subject, ``coordination``/``subject``: ", ", " as ", "just hours after") when a name follows it and
    each side names someone and carries a transfer word: "Aké wanted in Italy, Arsenal eye a winger",
    "Boro land McLean as Whittaker departs for Bournemouth", "… to discuss a free transfer, and
    Galatasaray are also keen". "Milan and Roma want X" and "Drăgușin and Aké are on
    Milan's list" stay whole.
    """
    coordination = ctx.lang.cues("coordination")
    out: list[Clause] = []
    for clause in clauses:
        if not ctx.may_find(coordination, clause.start, clause.end):
            out.append(clause)
            continue
        cursor = clause.start
        # a split needs a name right after the joint, but an "and" between two full moves
        joints = [j for j in _joints(ctx, clause) if j[2] == "and" or ctx.within(j[1], j[1] + 1)]
        words = _transfer_words(ctx, clause) if joints else []
        for start, end, kind in joints:
            if start < cursor:
                continue
            if _splits(ctx, clause, words, (cursor, start), (end, clause.end), kind):
                out.append(replace(clause, start=cursor, end=start))
                cursor = end
        out.append(replace(clause, start=cursor) if cursor != clause.start else clause)
    return out


def _splits(
    ctx: Context, clause: Clause, words: list[int], left: tuple[int, int], right: tuple[int, int], kind: str
) -> bool:
    def moves(start: int, end: int, *, both: bool) -> bool:
        named = [m.entity_id for _s, _e, m in ctx.within(start, end)]
        if both and not (any(is_player(e) for e in named) and any(is_club(e) for e in named)):
            return False
        return bool(named) and any(start <= word < end for word in words)

    if kind == "and" and all(moves(*side, both=True) for side in (left, right)):
        return True  # each side a player, a club and a transfer word of its own
    named_next = ctx.within(right[0], right[0] + 1)
    if not named_next:
        return False
    # not a list item ("of Juventus and Napoli interest"), not an apposition ("X, Spurs' defender, …"):
    # after an "and" or a bare comma, the name must be a subject with its own verb
    verb_needed = kind == "and" or ctx.folded[left[1] : right[0]].strip() == ","
    if verb_needed and not _has_verb_after(ctx, named_next[0][1], clause.end):
        return False
    return all(moves(*side, both=False) for side in (left, right))


def _joints(ctx: Context, clause: Clause) -> list[tuple[int, int, str]]:
    """Where a clause could split: (start, end, "and" or "subject"), in text order."""
    if len(ctx.within(clause.start, clause.end)) < 2:
        return []  # each side of a split names someone
    joints = [
        (found.start(), found.end(), kind)
        for kind in ("and", "subject")
        for found in ctx.lang.cues("coordination", kind).pattern.finditer(ctx.folded, clause.start, clause.end)
    ]
    return sorted(joints)


def _has_verb_after(ctx: Context, start: int, end: int) -> bool:
    return ctx.lang.cues("coordination", "verb-after").pattern.match(ctx.folded, start, end) is not None


def _transfer_words(ctx: Context, clause: Clause) -> list[int]:
    """Where the clause's transfer words start (stage, deal type, generic move, "the other way")."""
    start, end = clause.start, clause.end
    words = [hit[1] for _stage, hit in cue.stage_hits(ctx, start, end, title=clause.title)]
    words += [hit[1] for _pos, _deal, hit in cue.deal_cues(ctx, start, end)]
    for category in ("move", "opposite"):
        words += [start + m.start() for m in ctx.lang.cues(category).pattern.finditer(ctx.cues[start:end])]
    return words


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
