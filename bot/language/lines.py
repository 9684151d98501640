"""Lines: what each line of an item is about, and gossip shorthand that lists suitors without a verb.

A gossip line, a live-blog entry or a paragraph is usually about one player. Two shapes of shorthand
name him in a *head* and list clubs around it, with no verb for each club:

- player first: "Kevin Nisbet — Hibs, Motherwell, Dundee United", "• Ander Barrenetxea (Real Sociedad):
  Barcelona, Athletic Club", "Atalanta duo Éderson and Giorgio Scalvini: Juventus on both";
- clubs first: "Lazio, Fiorentina — Genoa's Morten Frendrup", "Arsenal v Real Madrid for Monaco's Lamine
  Camara", "Bayern: Kompany wants Nusa!".

The clubs listed right after (or before) the head are linked to its players: a direct link, like "X to
Y", whose evidence is the separator's wording. The head's players are the line's *topic*: a clause of
the line that names clubs but no player ("Leeds United, Burnley, Brentford on the list of admirers") is
about them. The punctuation and filler words are wordings of the ``suitor-list`` category.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from bot.language import cues as cue
from bot.language.context import Context, Hit, is_club, is_player
from bot.models import Mention

__all__ = ["Line", "line_at", "listed_links", "speaks_of_unnamed", "topic_of"]

_EMOJI_CODE = re.compile(r":[a-z0-9_+-]+:")  # how the fold spells an emoji (":white_check_mark:")
_WORD = re.compile(r"\w[\w'’.-]*")
_MEMO_KEY = ("lines",)
_MAY_HAVE_HEAD = re.compile(r":\s| -|\sfor\s")  # every separator has one of these (a cheap first look)
_MAX_UNNAMED = 2  # capitalised words a list or head may hold that name nothing known ("Atlético")
_NEAR_HEAD = 80  # how far after a club head its player may be named
_MAX_HEAD = 120  # the longest head ("• Ander Barrenetxea (Real Sociedad), 29:")
_MAX_HEAD_GAP = 2
_MAX_LEAD = 40  # bullets, times, emoji before a head


@dataclass(slots=True)
class Line:
    """One line of the item (folded offsets): the players it names, its head's players, its listed suitors."""

    start: int
    end: int
    players: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    links: list[tuple[str, str, int, Hit]] = field(default_factory=list)  # player, club, club start, hit


def line_at(ctx: Context, position: int) -> Line | None:
    """The line a folded position falls in."""
    lines, starts = _lines(ctx)
    index = bisect_right(starts, position) - 1
    return lines[index] if index >= 0 else None


def listed_links(ctx: Context, clubs: list[Mention]) -> list[tuple[str, str, Hit]]:
    """The shorthand links of these club mentions: (player, club, separator hit)."""
    if not clubs:
        return []
    starts = {ctx.fspan(m)[0] for m in clubs}
    line = line_at(ctx, min(starts))
    if line is None or not line.links:
        return []
    return [(player, club, hit) for player, club, start, hit in line.links if start in starts]


def _lines(ctx: Context) -> tuple[list[Line], list[int]]:
    found = ctx.memo.get(_MEMO_KEY)
    if found is None:
        lines = [_read_line(ctx, start, end) for start, end in _spans(ctx.folded)]
        found = ctx.memo[_MEMO_KEY] = (lines, [line.start for line in lines])
    return found


def _spans(folded: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for end in [*(m.start() for m in re.finditer("\n", folded)), len(folded)]:
        if end > start:
            spans.append((start, end))
        start = end + 1
    return spans


def _read_line(ctx: Context, start: int, end: int) -> Line:
    mentions = [(s, e, m) for s, _i, e, m in ctx.spans[_index(ctx, start) : _index(ctx, end)]]
    players = tuple(dict.fromkeys(m.entity_id for s, _e, m in mentions if is_player(m.entity_id)
                                  and s not in ctx.companions))
    line = Line(start, end, players)
    if not mentions:
        return line
    # A head is short and opens the line: only its first stretch is read.
    window = min(end, start + _MAX_HEAD + _MAX_LEAD)
    text = _EMOJI_CODE.sub(lambda m: " " * len(m.group(0)), ctx.folded[start:window])
    lead = ctx.lang.cues("suitor-list", "lead").pattern.match(text)
    head_start = start + (lead.end() if lead else 0)
    first = next((s for s, _e, _m in mentions if s >= head_start), None)
    if first is None or first - head_start > _MAX_HEAD_GAP or not _MAY_HAVE_HEAD.search(text):
        return line  # a head opens with a name ("Atalanta duo …", "Kevin Nisbet —")
    for value in ("separator", "club-separator"):
        separator = ctx.lang.cues("suitor-list", value)
        found = separator.pattern.search(text, head_start - start, head_start - start + _MAX_HEAD)
        if found is None:
            continue
        sep = (start + found.start(), start + found.end(), separator.wording(found).id)
        if _read_head(ctx, line, mentions, head_start, sep, clubs_only=value == "club-separator"):
            break
    return line


def _read_head(
    ctx: Context, line: Line, mentions: list[tuple[int, int, Mention]], head_start: int, sep: tuple[int, int, str],
    *, clubs_only: bool,
) -> bool:
    """Read a head ending at the separator; True when the line is shorthand."""
    sep_start, sep_end, wording = sep
    head = [(s, e, m) for s, e, m in mentions if head_start <= s and e <= sep_start]
    unnamed = _unnamed_in_head(ctx, head_start, sep_start, head) if head else None
    if unnamed is None:
        return False
    hit = (wording, sep_start, sep_end)
    head_players = [m.entity_id for s, _e, m in head if is_player(m.entity_id) and s not in ctx.companions]
    if head_players and not clubs_only:
        tail = [(s, e, m) for s, e, m in mentions if s >= sep_end]
        if any(is_player(m.entity_id) and m.entity_id not in head_players for _s, _e, m in tail):
            return False  # "Alex Scott: Arsenal must give Mariona a new contract" is about someone else
        line.topic = tuple(dict.fromkeys(head_players))
        listed = _listed(ctx, tail, sep_end)
        line.links = [(p, m.entity_id, s, hit) for p in line.topic for s, _e, m in listed]
        return True
    clubs = [(s, e, m) for s, e, m in head if is_club(m.entity_id)]
    if head_players or (clubs_only and len(clubs) + unnamed < 2):
        return False  # "Barcelona frontrunners, Inter outsiders for X": an unknown name is a club too
    player = next((m for s, _e, m in mentions if sep_end <= s < sep_end + _NEAR_HEAD and is_player(m.entity_id)
                   and s not in ctx.companions), None)
    if player is None or (len(clubs) + unnamed == 1 and not _has_cue(ctx, sep_end, line.end)):
        return False  # "Arsenal: Arteta on Haaland's form" is no transfer shorthand
    line.topic = (player.entity_id,)
    line.links = [(player.entity_id, m.entity_id, s, hit) for s, _e, m in clubs]
    return True


def _unnamed_in_head(ctx: Context, start: int, end: int, head: list[tuple[int, int, Mention]]) -> int | None:
    """How many unknown names a head holds; None when it is more than names, joined or described."""
    cursor, unnamed = start, 0
    for s, e in [*((s, e) for s, e, _m in head), (end, end)]:
        unnamed += _unnamed_words(ctx, cursor, s)
        if unnamed > _MAX_UNNAMED:
            return None
        cursor = max(cursor, e)
    return unnamed


def _listed(ctx: Context, after: list[tuple[int, int, Mention]], cursor: int) -> list[tuple[int, int, Mention]]:
    """The clubs listed from ``cursor`` on, each separated from the last by a list joiner only."""
    listed: list[tuple[int, int, Mention]] = []
    unnamed = 0
    for s, e, mention in after:
        unnamed += _unnamed_words(ctx, cursor, s)
        if not is_club(mention.entity_id) or unnamed > _MAX_UNNAMED:
            break
        listed.append((s, e, mention))
        cursor = e
    return listed


def _unnamed_words(ctx: Context, start: int, end: int) -> int:
    """How many words of a gap are neither joiners nor fillers (over the limit when one is lower case)."""
    if end <= start:
        return 0
    gap = ctx.folded[start:end]
    for value in ("join", "filler"):
        gap = ctx.lang.cues("suitor-list", value).pattern.sub(lambda m: " " * len(m.group(0)), gap)
    unnamed = 0
    for word in _WORD.finditer(gap):
        if not ctx.original(start + word.start(), start + word.end())[:1].isupper():
            return _MAX_UNNAMED + 1  # a lower-case word: a sentence, not a list of names
        unnamed += 1
    return unnamed


def _has_cue(ctx: Context, start: int, end: int) -> bool:
    return bool(cue.stage_hits(ctx, start, end)) or cue.weak_cue(ctx, start, end) is not None


def _index(ctx: Context, position: int) -> int:
    return bisect_right(ctx.span_starts, position - 1)


def topic_of(ctx: Context, sentence_start: int, sentence_end: int, claim_players: list[str] | None) -> list[str]:
    """The players a clause that names none is about: its line's head, else the one player of its claim
    (in a digest), its line or the item. None when its sentence speaks of a player it does not name
    ("Arsenal eye a winger", "United are in the market for a goalkeeper and have asked about options")."""
    if speaks_of_unnamed(ctx, sentence_start, sentence_end):
        return []
    line = line_at(ctx, sentence_start)
    if line is not None and line.topic:
        return list(line.topic)
    if claim_players is not None and len(claim_players) <= 1:  # a digest: every claim stands alone
        return claim_players
    if line is not None and len(line.players) == 1:
        return list(line.players)
    return ctx.player_ids if claim_players is None and len(ctx.player_ids) == 1 else []


def speaks_of_unnamed(ctx: Context, start: int, end: int) -> bool:
    """True when the span speaks of a footballer it does not name ("Arsenal eye a winger")."""
    key = ("unnamed", start, end)
    found = ctx.memo.get(key)
    if found is None:
        found = ctx.memo[key] = ctx.lang.search(ctx.lang.cues("unnamed"), ctx.cues[start:end]) is not None
    return bool(found)
