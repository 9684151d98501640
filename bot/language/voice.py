"""A club speaking for itself: on a club's own site "the Club" (or "we") is that club.

A club-site announcement often never names its own club ("The Club is delighted to confirm the
arrival of Elye Wahi from OGC Nice"). When the feed is the club's own (a tier-0 club source), each
``club-voice`` wording in the text stands for the club, as a mention of it would.
"""

from __future__ import annotations

import re

from bot.language.context import Context
from bot.language.fold import fold_text
from bot.models import Mention, Source, SourceKind

__all__ = ["club_voice_mentions"]

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def club_voice_mentions(ctx: Context, feed_source: Source | None) -> list[Mention]:
    """Mentions of the feed's own club where the text speaks as the club, on a club's own feed."""
    if feed_source is None or feed_source.kind is not SourceKind.CLUB:
        return []
    club_id = "club:" + _SLUG_JUNK.sub("-", fold_text(feed_source.name)).strip("-")  # the catalogue's ids
    if ctx.entity(club_id) is None:
        return []
    taken = [(m.start, m.end) for m in ctx.mentions]
    found = []
    for match in ctx.lang.cues("club-voice").pattern.finditer(ctx.folded):
        start, end = ctx.doc.to_original(match.start()), ctx.doc.to_original(match.end())
        if not any(s < end and start < e for s, e in taken):
            found.append(Mention(club_id, start, end, ctx.doc.text[start:end]))
    return found

