"""parse_feed and body_hash on sample and hostile feed bodies."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import NotAFeed
from bot.feeds.parse import body_hash, parse_feed
from tests.feeds import data

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RSS_HEADERS = {"content-type": "application/rss+xml"}
MARK = "Ødegaard’s €80m move – Arsenal & Real Madrid talks"


def parse(name: str, headers: dict[str, str] | None = None):
    return parse_feed(data(name), headers if headers is not None else RSS_HEADERS, fetched_at=NOW)


def test_rss20_titles_summaries_and_metadata():
    """RSS 2.0 with CDATA, escaped HTML, entities and diacritics comes out as clean text."""
    feed = parse("rss20.xml")
    assert feed.version == "rss20"
    assert feed.title == "Calciomercato & Friends"
    assert [i.title for i in feed.items] == [
        "Drăgușin’s move: Milan agree €25m fee",
        "Ødegaard & Arsenal: talks over new deal",
        "Napoli eye Aké",
    ]  # the fourth item has neither title nor link and is skipped
    first, second, third = feed.items
    assert first.summary == "AC Milan have agreed a loan with an option for Radu Drăgușin. Tottenham want €25m."
    assert first.uid == "guid:tr-1001"
    assert first.link == "https://news.example/dragusin-milan?id=7&utm_source=rss&utm_medium=feed#top"
    assert first.author == "Gianluca Di Marzio"
    assert first.published == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    assert second.summary == "Arsenal’s captain is close to a new deal."
    assert second.published == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert third.uid == "link:https://news.example/ake-napoli"
    assert third.published == NOW  # no date in the feed: the fetch time
    assert third.author is None


def test_atom_with_html_title_summary_and_content():
    """Atom: HTML titles are stripped, content is used when there is no summary, dates are UTC."""
    feed = parse("atom.xml", {"content-type": "application/atom+xml"})
    assert feed.version == "atom10"
    assert feed.title == "Football Rumours"
    a, b = feed.items
    assert a.title == "Szczęsny agrees Barça deal"
    assert a.summary == "Here we go – Szczęsny to Barça."
    assert a.author == "Fabrizio Romano"
    assert a.link == "https://atom.example/szczesny"
    assert a.uid == "guid:urn:uuid:entry-1"
    assert a.published == datetime(2026, 11, 24, 7, 15, tzinfo=UTC)
    assert a.published.tzinfo is UTC
    assert b.title == "Milan’s January plans"
    assert b.summary == "Milan want a centre-back. Drăgușin is first choice."
    assert b.published == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # updated, when not published


def test_unescaped_ampersand_still_parses():
    """A bare '&' in titles and links is recovered by feedparser's loose parser."""
    feed = parse("malformed_amp.xml")
    assert [i.title for i in feed.items] == [MARK, "Plain title", MARK]
    assert feed.items[0].link == "https://broken.example/a?x=1&b=2&id=0"


def test_truncated_feed_keeps_the_complete_items():
    """A body cut off mid-item yields the items before the cut."""
    feed = parse("truncated.xml")
    assert [i.title for i in feed.items] == [MARK, "Second"]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("cp1252_declared_utf8.xml", "application/rss+xml"),
        ("cp1252_declared_utf8.xml", "application/rss+xml; charset=utf-8"),
        ("utf8_declared_latin1.xml", "application/rss+xml"),
        ("utf8_declared_latin1.xml", "text/xml"),
    ],
)
def test_wrong_encoding_declaration_gives_correct_titles(name, content_type):
    """cp1252 bytes declared UTF-8, and UTF-8 bytes declared ISO-8859-1, both decode right."""
    feed = parse(name, {"content-type": content_type})
    assert feed.items[0].title == MARK
    assert feed.items[2].title == MARK


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (data("not_a_feed.html"), "not an RSS or Atom feed (looks like an HTML page)"),
        (b"", "not an RSS or Atom feed (the response was empty)"),
        (b'{"items": []}', "not an RSS or Atom feed (looks like JSON)"),
        (b"\x00\xff garbage \x13", "not an RSS or Atom feed"),
    ],
)
def test_not_a_feed(body, message):
    """HTML pages, empty bodies, JSON and junk raise NotAFeed with a clear message."""
    with pytest.raises(NotAFeed) as info:
        parse_feed(body, {"content-type": "text/html"}, fetched_at=NOW)
    assert str(info.value) == message


def test_empty_but_valid_feed_is_not_an_error():
    """A real feed with no items yet parses to no items."""
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', {}, fetched_at=NOW)
    assert feed.items == ()
    assert feed.title == "Quiet"


def test_billion_laughs_does_not_expand():
    """Nested entity definitions are not expanded and parsing stays fast."""
    start = time.perf_counter()
    feed = parse("billion_laughs.xml")
    assert time.perf_counter() - start < 2.0
    assert len(feed.items) == 1
    assert len(feed.items[0].title) < 100
    assert "lollol" not in feed.items[0].title


def test_duplicate_guids_fall_back_and_items_are_deduplicated():
    """A guid used twice is not an id; the link (then a hash) is; repeated ids keep the first item."""
    feed = parse("duplicate_guids.xml")
    uids = {i.title: i.uid for i in feed.items}
    assert uids["First"] == "link:https://dup.example/1"
    assert uids["Second"] == "link:https://dup.example/2"
    assert uids["Third"] == "guid:unique-3"
    assert uids["Fourth, no link"].startswith("hash:")
    assert uids["Repeat of third"] == "guid:unique-3-again"
    # "Same link as second" canonicalises to Second's link, so it is the same item and is dropped.
    assert "Same link as second" not in uids
    assert len({i.uid for i in feed.items}) == len(feed.items) == 5


def _rss_item(extra: str) -> bytes:
    return f'<rss version="2.0"><channel><title>t</title><item><title>x</title>{extra}</item></channel></rss>'.encode()


def test_far_future_dates_clamp_to_fetch_time():
    """An item dated over a day ahead is dated at the fetch; a few hours ahead is kept."""
    far = parse_feed(_rss_item("<pubDate>Sat, 28 Nov 2026 12:00:00 GMT</pubDate>"), {}, fetched_at=NOW)
    near = parse_feed(_rss_item("<pubDate>Tue, 24 Nov 2026 20:00:00 GMT</pubDate>"), {}, fetched_at=NOW)
    assert far.items[0].published == NOW
    assert near.items[0].published == NOW + timedelta(hours=8)


def test_unparsable_date_uses_fetch_time_and_hash_is_stable():
    """A garbage date falls back to fetched_at, and the item's id does not depend on the fetch time."""
    body = _rss_item("<pubDate>the day after tomorrow</pubDate>")
    one = parse_feed(body, {}, fetched_at=NOW)
    two = parse_feed(body, {}, fetched_at=NOW + timedelta(minutes=5))
    assert one.items[0].published == NOW
    assert one.items[0].uid == two.items[0].uid


def test_non_http_links_are_dropped():
    """A javascript: link is not kept (it would end up in an embed)."""
    feed = parse_feed(_rss_item("<link>javascript:alert(1)</link>"), {}, fetched_at=NOW)
    assert feed.items[0].link is None
    assert feed.items[0].uid.startswith("hash:")


def test_naive_fetched_at_is_rejected():
    """fetched_at must be timezone-aware (dates are compared with it)."""
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_feed(data("rss20.xml"), {}, fetched_at=datetime(2026, 11, 24, 12, 0))


def test_body_hash_is_sha256_hex():
    """body_hash is a SHA-256 hex digest and changes with the body."""
    assert body_hash(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert body_hash(b"a") != body_hash(b"b")
