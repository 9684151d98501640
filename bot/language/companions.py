"""Companions: players named only in relation to the subject ("a replacement for X", "will partner X").

A companion is not the subject of the clause's transfer, and a club named right after him ("lost X to
Liverpool") is his, not the subject's. The cues are wordings of the ``companion`` category.
"""

from __future__ import annotations

import re

from bot.language.context import Context, is_player

__all__ = ["after_companion", "capitalised", "find_companions"]

_CLUB_GAP = re.compile(r"[^,;.()]{0,40}")


def find_companions(ctx: Context) -> dict[int, int]:
    """The player mentions that only relate to another player: folded start → end."""
    lang = ctx.lang
    before_cues, after_cues = lang.cues("companion", "before"), lang.cues("companion", "after")
    event_before, event_after = lang.cues("companion", "event-before"), lang.cues("companion", "event-after")
    object_after, joiner = lang.cues("companion", "object"), lang.cues("list-join").pattern
    found: dict[int, int] = {}
    folded = ctx.folded
    last_end = -1  # end of the previous companion mention, for lists ("cover for X and Y")
    for mention in sorted(ctx.mentions, key=lambda m: m.start):
        if not is_player(mention.entity_id):
            continue
        start, end = ctx.fspan(mention)
        before_start = max(0, start - 90)
        after = folded[end : end + 40]
        if object_after.pattern.match(after):
            continue
        listed = ctx.search(lang.companion_list, before_start, start)
        if (
            ctx.search(before_cues, before_start, start)
            or after_cues.pattern.match(after)
            or (ctx.search(event_before, before_start, start) and event_after.pattern.match(after))
            or (last_end >= 0 and joiner.fullmatch(folded, last_end, start) is not None)
            or (
                listed is not None
                and capitalised(ctx, before_start + listed.start("names"), before_start + listed.end("names"))
            )
        ):
            found[start] = end
            last_end = end
    return found


def capitalised(ctx: Context, start: int, end: int) -> bool:
    """True when every word of the folded span ``[start, end)`` starts with a capital in the original."""
    words = ctx.original(start, end).split()
    return bool(words) and all(word[0].isupper() for word in words)


def after_companion(ctx: Context, club_start: int, clause_start: int) -> bool:
    """True for a club named right after a companion ("lost Isak to Liverpool", "his brother X plays for Inter")."""
    return any(
        clause_start <= c_start and c_end <= club_start and _CLUB_GAP.fullmatch(ctx.folded, c_end, club_start)
        for c_start, c_end in ctx.companions.items()
    )
