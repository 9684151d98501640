"""Make untrusted text (headlines, feed titles, user input) safe to show in Discord messages and embeds.

Feed text is attacker-controlled: a headline such as
``@everyone <@&123> **HERE WE GO** [click](http://evil)`` must show up as exactly that, as
plain text, pinging nobody, with no bold and no disguised link. Two layers do this:

* :func:`safe_text` escapes markdown and breaks mention syntax, then truncates to a Discord limit;
* :data:`NO_MENTIONS` is passed as ``allowed_mentions`` on every send, so even a mention that
  slipped through pings nobody.

The one exception is a role ping an admin configured (``/alerts ping``): that message's content is
the role mentions alone, and :func:`only_roles` lets exactly those roles ping, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import discord

#: Pass as ``allowed_mentions=`` on every message Mercato sends.
NO_MENTIONS: Final = discord.AllowedMentions.none()

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT: Final = 2000
TITLE_LIMIT: Final = 256
DESCRIPTION_LIMIT: Final = 4096
FIELD_NAME_LIMIT: Final = 256
FIELD_VALUE_LIMIT: Final = 1024
FOOTER_LIMIT: Final = 2048
AUTHOR_LIMIT: Final = 256

ELLIPSIS: Final = "…"
ZWSP: Final = "\u200b"

# "@everyone"/"@here": a zero-width space after the "@" stops Discord from parsing the mention.
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
# "<@123>", "<@!123>", "<@&123>", "<#123>", "</cmd:123>": a zero-width space after "<" leaves them as plain text.
_ANGLE_MENTION = re.compile(r"<(?=[@#/])")
# "[" or "]" not already escaped (preceded by an even number of backslashes): escaped, no masked link can form.
# escape_markdown() only escapes the "[" of a complete "[x](y)", not a "]" or a half-link split over lines.
_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")
_WHITESPACE = re.compile(r"\s+")


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, ending with "…" if anything was cut.

    Never leaves a dangling escape backslash at the cut, which would escape the "…" instead.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + ELLIPSIS


def neutralise_mentions(text: str) -> str:
    """Break ``@everyone``, ``@here`` and ``<@…>``/``<@&…>``/``<#…>`` mention syntax with a zero-width space."""
    text = _MASS_MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _ANGLE_MENTION.sub(f"<{ZWSP}", text)


def safe_text(s: str, limit: int, *, single_line: bool = False) -> str:
    """Return ``s`` escaped for Discord markdown, with mentions and masked links defused, cut to ``limit``.

    ``limit`` is one of the ``*_LIMIT`` constants (e.g. :data:`TITLE_LIMIT`); the result, escapes
    included, is never longer. ``single_line`` collapses all whitespace (for titles and field names).
    """
    text = s.strip()
    if single_line:
        text = _WHITESPACE.sub(" ", text)
    text = discord.utils.escape_markdown(text)
    text = _BRACKET.sub(r"\1\\\2", text)
    text = neutralise_mentions(text)
    return truncate(text, limit)


def only_roles(role_ids: Sequence[int]) -> discord.AllowedMentions:
    """``allowed_mentions`` naming exactly these roles: never @everyone, @here, users or other roles."""
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(r) for r in role_ids], replied_user=False
    )


def role_mentions(role_ids: Sequence[int]) -> str:
    """The content of a message that pings these roles: their mentions, nothing from a feed."""
    return " ".join(f"<@&{int(r)}>" for r in role_ids)
