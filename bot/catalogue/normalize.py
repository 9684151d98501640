"""Names as the catalogue compares them: the project's one fold (``bot.language.fold``), plus slugs.

"Drăgușin’s" and "DRAGUSIN's" both become "dragusin's". Aliases and article text go through the
same function, so matching happens on folded text while mentions are reported as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from bot.language.fold import Folded, fold, fold_text

__all__ = ["Folded", "fold", "norm", "slug"]

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 17)
def norm(text: str) -> str:
    """Fold a name or query (no offset map), with surrounding whitespace removed.

    Cached: names are folded again and again (seed loading, merging, imports of tens of thousands of rows).
    """
    return fold_text(text).strip()


def slug(text: str) -> str:
    """Make an ASCII identifier from a name: "Radu Drăgușin" -> "radu-dragusin"."""
    return _SLUG_JUNK.sub("-", anyascii(text).lower()).strip("-")
