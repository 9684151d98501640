"""Tests for cogs.render: untrusted text must render as plain text, ping nobody and fit Discord's limits."""

import re

import pytest

from cogs.render import (
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    NO_MENTIONS,
    TITLE_LIMIT,
    ZWSP,
    neutralise_mentions,
    safe_text,
    truncate,
)

HOSTILE = "@everyone <@&123> **HERE WE GO** [click](http://evil)"


def test_hostile_headline_is_plain_text():
    out = safe_text(HOSTILE, TITLE_LIMIT)
    assert out == f"@{ZWSP}everyone <{ZWSP}@&123> \\*\\*HERE WE GO\\*\\* \\[click\\](http://evil)"
    # What a reader sees once Discord strips the escapes and the zero-width spaces is the original text.
    assert out.replace("\\", "").replace(ZWSP, "") == HOSTILE


@pytest.mark.parametrize(
    "mention",
    ["@everyone", "@here", "@Everyone", "<@123>", "<@!123>", "<@&123>", "<#123>", "</follow:123>"],
)
def test_mentions_are_broken(mention):
    out = safe_text(f"hi {mention} there", 100)
    assert mention not in out
    assert out.replace(ZWSP, "") == f"hi {mention} there"


# Discord's mention grammar (https://discord.com/developers/docs/reference#message-formatting).
MENTION = re.compile(r"<@!?\d+>|<@&\d+>|<#\d+>|</[\w -]+:\d+>|@everyone|@here")


def test_discord_mention_grammar_finds_nothing():
    raw = "<@123456789012345678> <@!1> <@&2> <#3> </follow:4> @everyone @here"
    assert len(MENTION.findall(raw)) == 7
    assert MENTION.findall(safe_text(raw, 200)) == []


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("**bold**", "\\*\\*bold\\*\\*"),
        ("__under__", "\\_\\_under\\_\\_"),
        ("||spoiler||", "\\|\\|spoiler\\|\\|"),
        ("`code`", "\\`code\\`"),
        ("# Heading", "\\# Heading"),
        ("> quote", "\\> quote"),
        ("[x](http://e)", "\\[x\\](http://e)"),
        ("half ] link [ split", "half \\] link \\[ split"),
        ("already \\[ escaped", "already \\\\\\[ escaped"),
    ],
)
def test_markdown_is_escaped(raw, escaped):
    assert safe_text(raw, 100) == escaped


def test_masked_link_split_over_lines_cannot_form():
    out = safe_text("[click\n](http://evil)", 100)
    assert "[" not in out.replace("\\[", "") and "]" not in out.replace("\\]", "")


@pytest.mark.parametrize("limit", [TITLE_LIMIT, DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, FOOTER_LIMIT])
def test_truncates_to_limit_after_escaping(limit):
    out = safe_text("*" * limit, limit)  # every "*" becomes "\*": the escaped text is twice the limit
    assert len(out) <= limit
    assert out.endswith(ELLIPSIS)
    body = out[: -len(ELLIPSIS)]
    assert body == "\\*" * (len(body) // 2)  # only whole "\*" pairs: no escape cut in half


def test_short_text_is_not_truncated():
    assert safe_text("Dragusin to Spurs", TITLE_LIMIT) == "Dragusin to Spurs"


def test_truncate_never_leaves_dangling_backslash():
    assert truncate("ab\\*cd", 4) == "ab" + ELLIPSIS
    assert truncate("ab\\\\cd", 5) == "ab\\\\" + ELLIPSIS
    assert truncate("abc", 3) == "abc"
    with pytest.raises(ValueError):
        truncate("abc", 0)


def test_single_line_collapses_whitespace():
    assert safe_text("  HERE\n\nWE   GO \t", TITLE_LIMIT, single_line=True) == "HERE WE GO"
    assert safe_text("a\nb", DESCRIPTION_LIMIT) == "a\nb"


def test_neutralise_mentions_leaves_other_angle_brackets():
    assert neutralise_mentions("<t:123:R> <:emoji:1> a<b") == "<t:123:R> <:emoji:1> a<b"
    assert neutralise_mentions("mail me@here.com") == f"mail me@{ZWSP}here.com"


def test_no_mentions_allows_nothing():
    assert NO_MENTIONS.to_dict() == {"parse": []}


def test_rumours_shows_a_completed_move_first_and_escaped() -> None:
    """/rumours after a learnt move: the move comes before the rumours, its text escaped like any other."""
    from datetime import UTC, datetime

    from bot.services import Headline, Timeline, TimelineEntry
    from cogs.embeds import timeline_text

    when = datetime(2026, 12, 2, tzinfo=UTC)
    entry = TimelineEntry(Headline("Juventus want Drăgușin", "https://x.example/1", "Calciomercato", when),
                          ("Juventus",), stage="interest")
    timeline = Timeline("Radu Drăgușin (AC Milan)", (entry,), ("Tottenham → AC Milan (2026-12-02, *AC Milan*)",))
    text = timeline_text(timeline)
    assert text.splitlines()[1] == "✅ Completed move: Tottenham → AC Milan (2026-12-02, \\*AC Milan\\*)"
    assert "Juventus want Drăgușin" in text
    assert timeline_text(Timeline("X", (), ("A → B (2026-12-02, news)",))).endswith("No rumours about **X** yet.")
