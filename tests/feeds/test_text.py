"""html_to_text and collapse_ws."""

from __future__ import annotations

import time

from bot.text import collapse_ws, html_to_text


def test_script_and_style_are_dropped_with_their_content():
    """Code inside <script>/<style> never reaches the text."""
    html = "<p>Milan</p><script type='text/javascript'>alert('x')</script><STYLE>p{color:red}</STYLE><p>Roma</p>"
    assert html_to_text(html) == "Milan Roma"


def test_unclosed_script_drops_the_rest():
    """An unclosed <script> swallows what follows rather than leaking code."""
    assert html_to_text("Napoli <script>var a = 1; steal()") == "Napoli"


def test_comments_are_dropped():
    """HTML comments are not text."""
    assert html_to_text("Aké <!-- tracking pixel -->to Napoli") == "Aké to Napoli"


def test_block_tags_separate_words_inline_tags_do_not():
    """<p>, <br>, <li> break words; <b>, <a>, <span> do not split a name."""
    assert html_to_text("<p>Milan</p><p>Roma</p>line<br/>break<ul><li>a</li><li>b</li></ul>") == (
        "Milan Roma line break a b"
    )
    assert html_to_text('Radu Dr<b>ă</b>gu<span class="x">ș</span>in <a href="/x">signs</a>') == "Radu Drăgușin signs"


def test_entities_are_decoded_and_nbsp_is_a_space():
    """Named, decimal and hex entities decode; &nbsp; becomes an ordinary space."""
    assert html_to_text("Arsenal&rsquo;s&nbsp;captain &amp; &#8364;80m &#x2013; &Oslash;degaard") == (
        "Arsenal’s captain & €80m – Ødegaard"
    )


def test_escaped_markup_stays_text():
    """Markup that was entity-escaped in the HTML is text, shown literally."""
    assert html_to_text("use &lt;b&gt; for bold") == "use <b> for bold"


def test_less_than_sign_in_prose_is_kept():
    """A bare '<' that does not start a tag is text."""
    assert html_to_text("fee < €20m and 3 <4") == "fee < €20m and 3 <4"


def test_whitespace_is_collapsed_and_stripped():
    """Runs of spaces, tabs, newlines and Unicode spaces become one space."""
    assert html_to_text("  Milan\n\n\t agree\u2009fee\u00a0 ") == "Milan agree fee"
    assert collapse_ws(" a \u200b\r\n b\x00 ") == "a b"


def test_cdata_markers_inside_html_are_removed():
    """A CDATA section left inside HTML keeps its text."""
    assert html_to_text("<p><![CDATA[Here we go]]></p>") == "Here we go"


def test_plain_text_passes_through():
    """Text without markup comes back unchanged."""
    assert html_to_text("Drăgușin to Milan") == "Drăgușin to Milan"


def test_hostile_input_stays_linear():
    """Many unclosed tags and scripts do not make the regexes go quadratic."""
    hostile = "<a" * 100_000 + "<script" * 50_000 + "<!--" * 50_000
    start = time.perf_counter()
    html_to_text(hostile)
    assert time.perf_counter() - start < 1.0
