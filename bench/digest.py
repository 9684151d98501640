"""The size of a busy day's digest: 40 stories about what a server follows, the top 10 in one embed.

Names, headlines and links as long as real ones get (long player and club names, 110-character headlines,
tracking-laden links). Baseline: the same embed with one story. Discord's limits: 4,096 characters of
description and 6,000 in all per embed, 10 embeds per message; a digest is one message with one embed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digests.compose import compose
from bot.models import Report, Stage, Story
from cogs.embeds import digest_embed

UNTIL = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
STAGES = (Stage.HERE_WE_GO, Stage.AGREEMENT, Stage.MEDICAL, Stage.TALKS, Stage.BID, Stage.INTEREST)


def busy_day(stories: int = 40) -> list[tuple[Story, float]]:
    """``stories`` stories of the day, five outlets each, hottest first (the ranking is not what is measured)."""
    ranked = []
    for s in range(stories):
        reports = tuple(
            Report(s * 10 + n, f"Outlet with a long name {n}", 1, STAGES[s % len(STAGES)],
                   UNTIL - timedelta(hours=20 - n), f"https://news.example/{s}/{n}?utm_source=rss&utm_medium=feed"
                   "&utm_campaign=transfer-news-live", f"Deadline day live: the latest on player number {s} as "
                   "talks continue late into the night between both clubs ({n})")
            for n in range(5))
        story = Story(s, f"player:Player-With-A-Long-Double-Barrelled-Name-{s}", "club:Borussia Mönchengladbach",
                      "club:Wolverhampton Wanderers", reports[0].stage, None, None, reports[0].item_id,
                      reports[0].published, reports[-1].published, reports)
        ranked.append((story, 10.0 - s * 0.2))
    return ranked


def size(stories: int) -> tuple[int, int]:
    """(description characters, whole embed characters) of a digest of ``stories`` stories."""
    view = compose(busy_day(stories), day=date(2026, 1, 29), zone="Europe/London", until=UNTIL, server=False,
                   name=lambda e: e.split(":", 1)[1].replace("-", " "))
    embed = digest_embed(view, "A server with a fairly long name for its fans")
    return len(embed.description or ""), len(embed)


def run(*, quick: bool = False) -> tuple[int, int]:
    """Print and return the busy day's sizes."""
    one = size(1)
    busy = size(40)
    print("one message, one embed (Discord: description <= 4,096, embed <= 6,000 characters)")
    print(f"  {'quiet day, 1 story (baseline)':34s}: description {one[0]:5,} chars, embed {one[1]:5,} chars")
    print(f"  {'busy day, 40 stories (top 10 shown)':34s}: description {busy[0]:5,} chars, embed {busy[1]:5,} chars"
          f" = {busy[1] / one[1]:4.1f}x baseline")
    return busy


if __name__ == "__main__":
    run()
