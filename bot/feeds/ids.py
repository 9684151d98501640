"""Stable ids for feed items, so the same article is recognised on every poll."""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from typing import Final
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.text import collapse_ws

__all__ = ["TRACKING_PARAMS", "canonical_link", "item_uid"]

# Query parameters that only say where a click came from; the same article carries different ones
# in different feeds, or on different days in the same feed. Compared case-insensitively.
TRACKING_PARAMS: Final = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ito", "at_medium", "at_campaign", "ref", "ref_src", "cmp"}
)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _is_tracking(param: str) -> bool:
    key = unquote(param.split("=", 1)[0]).strip().lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


@functools.lru_cache(maxsize=8192)  # an item's link is asked for twice (its id, then its dedupe key)
def canonical_link(url: str) -> str:
    """Return ``url`` in a canonical form for de-duplication.

    Lower-cases scheme and host, drops the default port, the fragment and tracking parameters
    (``utm_*``, ``fbclid``, …), and keeps every other parameter as written, in its original order.
    Something that does not parse as a URL is returned stripped but otherwise unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        host = hostport.lower()
        if port is not None:
            host = host.rsplit(":", 1)[0]
            if _DEFAULT_PORTS.get(scheme) != port:
                host = f"{host}:{port}"
        elif host.endswith(":"):  # "example.com:" — an empty port is the default port
            host = host[:-1]
        netloc = f"{userinfo}@{host}" if userinfo else host
    path = parts.path or ("/" if netloc else "")
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    return urlunsplit((scheme, netloc, path, query, ""))


def item_uid(
    guid: str | None,
    link: str | None,
    title: str,
    published: datetime | None,
    *,
    guid_is_unique: bool,
) -> str:
    """Return an item's id within its feed: ``guid:…``, else ``link:…``, else ``hash:…``.

    The guid is used only when present and unique within the feed (some feeds reuse one guid for
    every item). Otherwise the canonical link, otherwise a SHA-1 of the normalised title and the
    feed's own date. Pass the date the feed gave (or None), never the fetch time, or the id would
    change on every poll. The prefixes keep the three kinds from colliding.
    """
    guid = (guid or "").strip()
    if guid and guid_is_unique:
        return f"guid:{guid}"
    link = (link or "").strip()
    if link:
        return f"link:{canonical_link(link)}"
    date = published.isoformat() if published is not None else ""
    key = f"{collapse_ws(title).casefold()}\n{date}"
    return "hash:" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()
