"""Plain text out of feed HTML: fast, regex-based, good enough for matching names and for embeds.

This is not an HTML sanitiser: its output is text, never markup. Every pattern here is linear in the
input (no nested quantifiers; a tag may not contain ``<``), because a hostile feed controls it.
Patterns spell out both letter cases (``[sS][cC]…``) instead of using ``re.IGNORECASE``, which
makes CPython's regex engine two to three times slower on these patterns.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["collapse_ws", "html_to_text"]


def _anycase(word: str) -> str:
    """Return a regex matching ``word`` in any letter case ("br" → "[bB][rR]")."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# <script>/<style> content is code, not prose; feedparser leaves it in when sanitize_html=False.
# An unclosed element runs to the end of the text (``\Z``) so the pattern always matches in one
# pass instead of rescanning the rest of the input from every ``<script``.
_DROPPED_ELEMENTS = ("script", "style", "noscript", "template")
_DROP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(" + "|".join(_anycase(t) for t in _DROPPED_ELEMENTS) + r")\b[^<>]*>.*?(?:</\1\s*>|\Z)",
    re.DOTALL,
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.DOTALL)
# Tags that separate words: "<p>Milan</p><p>Roma</p>" must not become "MilanRoma".
_BREAKING = (
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "blockquote",
    "pre",
    "hr",
    "img",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "figure",
    "figcaption",
    "address",
    "center",
    "main",
    "iframe",
)


def _trie(words: tuple[str, ...]) -> str:
    """Return a regex matching any of ``words`` (any case), factored by common prefix.

    CPython's engine tries alternatives one by one, so "(?:br|blockquote|…)" with 40 names costs
    40 attempts per tag; the factored form ("[bB](?:[rR]|[lL][oO]…)") costs one or two.
    """
    tree: dict[str, dict[str, Any]] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a word

    def emit(node: dict[str, Any]) -> str:
        branches = [_anycase(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


_BREAK_TAGS = re.compile(r"</?" + _trie(_BREAKING) + r"\b[^<>]*>")
# Any other tag (inline ones: a, b, span…) vanishes without a space, so "Dr<b>ă</b>gușin" and
# "<a>Milan</a>’s" stay one word. A "<" not followed by a letter, "/", "!" or "?" ("3 < 4") is text.
_TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")
# C0/C1 controls (except whitespace), zero-width characters and the BOM: invisible, and some of them
# break Discord embeds or defeat name matching.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200d\u2060\ufeff]")


def collapse_ws(s: str) -> str:
    """Collapse every run of whitespace (including NBSP and other Unicode spaces) to one space; strip.

    Invisible characters (controls, zero-width spaces, BOM) are removed.
    """
    # str.split() is C code and splits on every Unicode space; far faster than re.sub(r"\s+", …).
    s = " ".join(s.split())
    # After the join the only whitespace left is " ", so isprintable() is False only when an
    # invisible or control character is present: the regex pass is skipped for almost every text.
    if not s.isprintable():
        s = " ".join(_INVISIBLE.sub("", s).split())
    return s


def html_to_text(s: str) -> str:
    """Return the visible text of an HTML fragment as one line of plain text.

    Drops comments and ``<script>``/``<style>`` elements with their content, turns block tags and
    ``<br>`` into spaces, strips all other tags, decodes entities (``&nbsp;`` becomes a space) and
    collapses whitespace.
    """
    if "<" in s:
        if "<!" in s or _DROP_HINT.search(s):
            s = _DROP.sub(" ", s)
            if "<![" in s:
                s = _CDATA.sub(r"\1", s)
        s = _BREAK_TAGS.sub(" ", s)
        s = _TAG.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    return collapse_ws(s)


# Cheap test for whether _DROP can match at all, so the common summary without script, style or
# comments skips it.
_DROP_HINT = re.compile("<(?:" + "|".join(_anycase(t) for t in _DROPPED_ELEMENTS) + ")")
