"""canonical_link and item_uid."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.feeds.ids import canonical_link, item_uid


def test_tracking_params_are_dropped_and_others_keep_their_order():
    """utm_* and friends go; the rest stay in the order written, with their encoding."""
    url = "https://News.Example/a?utm_source=rss&id=7&fbclid=x&CMP=share&b=%20two&utm_medium=feed&ref=tw&z=1"
    assert canonical_link(url) == "https://news.example/a?id=7&b=%20two&z=1"


def test_scheme_host_default_port_and_fragment_are_normalised():
    """Scheme and host are lower-cased, the default port and fragment dropped; path case kept."""
    assert canonical_link("HTTPS://WWW.Example.COM:443/Story/Ødegaard#comments") == (
        "https://www.example.com/Story/Ødegaard"
    )
    assert canonical_link("http://example.com:80") == "http://example.com/"
    assert canonical_link("http://example.com:8080/x?") == "http://example.com:8080/x"


def test_all_tracking_names_are_recognised():
    """Every listed tracking parameter is stripped, whatever its case."""
    names = ["utm_content", "UTM_Term", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ito"]
    names += ["at_medium", "at_campaign", "ref", "ref_src", "CMP"]
    query = "&".join(f"{n}=1" for n in names)
    assert canonical_link(f"https://e.example/p?{query}&keep=1") == "https://e.example/p?keep=1"


def test_unparsable_url_is_returned_stripped():
    """A link that is not a URL is kept (stripped) rather than raising."""
    assert canonical_link("  http://[not-ipv6/x  ") == "http://[not-ipv6/x"


def test_unique_guid_wins():
    """A guid that is unique in its feed is the id."""
    assert item_uid(" g-1 ", "https://e.example/a", "T", None, guid_is_unique=True) == "guid:g-1"


def test_duplicate_guid_falls_back_to_canonical_link():
    """A guid shared by several items is ignored; the link (canonical) is used."""
    uid = item_uid("same", "https://E.example/a?utm_source=x#f", "T", None, guid_is_unique=False)
    assert uid == "link:https://e.example/a"


def test_links_that_differ_only_in_tracking_get_the_same_uid():
    """The same article reached through two campaigns is one item."""
    a = item_uid(None, "https://e.example/a?utm_source=rss", "x", None, guid_is_unique=False)
    b = item_uid(None, "https://e.example/a?fbclid=1", "y", None, guid_is_unique=False)
    assert a == b


def test_hash_fallback_normalises_title_and_uses_the_date():
    """Without guid or link, the title (case and spacing folded) plus the date make the id."""
    when = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    a = item_uid(None, None, "Milan  agree FEE", when, guid_is_unique=False)
    b = item_uid("", "  ", " milan agree fee ", when, guid_is_unique=True)
    c = item_uid(None, None, "Milan agree fee", datetime(2026, 11, 25, tzinfo=UTC), guid_is_unique=False)
    d = item_uid(None, None, "Milan agree fee", None, guid_is_unique=False)
    assert a.startswith("hash:") and len(a) == len("hash:") + 40
    assert a == b
    assert len({a, c, d}) == 3


def test_kinds_never_collide():
    """A guid that looks like a link is still a different id from that link."""
    link = "https://e.example/a"
    assert item_uid(link, None, "", None, guid_is_unique=True) != item_uid(None, link, "", None, guid_is_unique=True)
