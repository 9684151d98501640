"""Source directory: tiers from seeds/sources.toml, feed lookup, and citations found in text."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.language import fold as fold_with_maps
from bot.language import fold_text as fold
from bot.sources import DEFAULT_TIER, Source, SourceDirectory, SourceKind, load_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "sources.toml"


@pytest.fixture(scope="module")
def directory() -> SourceDirectory:
    return load_sources(SEEDS)


def names(sources: list[Source]) -> list[str]:
    return [s.name for s in sources]


# ----------------------------------------------------------------------------- the seed file


def test_seed_file_tiers_are_in_range_and_kinds_are_known(directory: SourceDirectory) -> None:
    assert len(directory.sources) > 40
    assert all(0 <= s.tier <= 5 for s in directory.sources)
    assert {s.kind for s in directory.sources} == set(SourceKind)
    assert all(s.tier == 0 for s in directory.sources if s.kind is SourceKind.CLUB)


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("Fabrizio Romano", 1),
        ("David Ornstein", 1),
        ("Gianluca Di Marzio", 1),
        ("BBC Sport", 1),
        ("The Athletic", 2),
        ("Calciomercato.com", 3),
        ("The Sun", 4),
        ("CaughtOffside", 5),
        ("AC Milan", 0),
    ],
)
def test_seed_file_rates_the_reference_sources(directory: SourceDirectory, name: str, tier: int) -> None:
    source = directory.get(name)
    assert source is not None and source.tier == tier


def test_journalists_carry_their_outlet(directory: SourceDirectory) -> None:
    ornstein = directory.get("David Ornstein")
    assert ornstein is not None and ornstein.kind is SourceKind.JOURNALIST and ornstein.outlet == "The Athletic"


@pytest.mark.parametrize("alias", ["the Mirror", "Daily Mirror", "Mirror", "MIRROR"])
def test_lookup_accepts_every_alias(directory: SourceDirectory, alias: str) -> None:
    found = directory.lookup(alias)
    assert found is not None and found.name == "Mirror"


# ----------------------------------------------------------------------------- feeds


def test_for_feed_by_domain_including_subdomains(directory: SourceDirectory) -> None:
    bbc = directory.for_feed("https://feeds.bbc.co.uk/sport/football/rss.xml", None)
    assert bbc is not None and bbc.name == "BBC Sport"


def test_for_feed_domain_with_path_beats_the_bare_domain(directory: SourceDirectory) -> None:
    athletic = directory.for_feed("https://www.nytimes.com/athletic/rss/football/", None)
    assert athletic is not None and athletic.name == "The Athletic"


def test_for_feed_falls_back_to_the_feed_title(directory: SourceDirectory) -> None:
    guardian = directory.for_feed("https://example.org/feed.xml", "Football | The Guardian")
    assert guardian is not None and guardian.name == "The Guardian"


def test_unknown_outlet_gets_the_neutral_tier_and_is_flagged(directory: SourceDirectory) -> None:
    blog = directory.for_feed("https://example.org/feed.xml", "Random Football Blog")
    assert blog is not None
    assert (blog.tier, blog.known, blog.name) == (DEFAULT_TIER, False, "Random Football Blog")
    assert "unknown" in blog.label
    host_only = directory.for_feed("https://example.org/feed.xml", None)
    assert host_only is not None and host_only.name == "example.org" and not host_only.known


def test_for_feed_with_nothing_to_go_on_is_none(directory: SourceDirectory) -> None:
    assert directory.for_feed(None, None) is None
    assert directory.for_feed(None, "   ") is None


# ----------------------------------------------------------------------------- citations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AC Milan held a lengthy meeting, according to Calciomercato.", "Calciomercato.com"),
        ("Spurs are ready to sell, reports Sky Sports.", "Sky Sports"),
        ("Sky Sports reports that Spurs are ready to sell.", "Sky Sports"),
        ("Di Marzio says Milan have opened talks.", "Gianluca Di Marzio"),
        ("Milan are closing in, per Fabrizio Romano.", "Fabrizio Romano"),
        ("The deal is close, as reported by the Daily Mirror.", "Mirror"),
        ("Arsenal want Saka's team-mate. (Mirror)", "Mirror"),
        ("Roma are keen (Gazzetta dello Sport - in Italian)", "La Gazzetta dello Sport"),
        ("Italian outlet Tuttosport claims Juve are interested.", "Tuttosport"),
        ("Drăgușin told The Athletic he wants to play.", "The Athletic"),
        ("The Athletic's David Ornstein reports that talks are advanced.", "David Ornstein"),
        ("Sky Sport Italia reports that Milan lead the race.", "Sky Sport Italia"),
        ("The striker is keen, according to L’Équipe.", "L'Équipe"),
        ("The striker is keen, according to l'equipe.", "L'Équipe"),
        ("Milan made an offer, as reported by AS.", "AS"),
        ("There were claims in the Sun on Sunday.", "The Sun"),
    ],
)
def test_cited_finds_the_source_next_to_a_citing_cue(directory: SourceDirectory, text: str, expected: str) -> None:
    assert names(directory.cited(text)) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Sky Sports pundit Gary Neville was not impressed.",  # named, not cited
        "Milan paid a club record fee as he asked.",  # "record" and "as" are words, not Record / AS
        "He sat in the sun before training.",
        "Milan beat Roma 2-0 at San Siro.",  # a club mentioned is not a club as source
        "(Photo by Justin Setterfield/Getty Images)",
        "Sunderland (Sunderland) won again.",  # word boundaries: Sunderland is not the Sun
        "The Athletic Club winger is a target.",  # no citing cue
    ],
)
def test_cited_ignores_mere_mentions(directory: SourceDirectory, text: str) -> None:
    assert directory.cited(text) == []


def test_cited_keeps_order_and_each_source_once(directory: SourceDirectory) -> None:
    text = "According to Marca, Madrid are keen. Romano says talks are on. Marca adds that a bid is ready."
    assert names(directory.cited(text)) == ["Marca", "Fabrizio Romano"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OFFICIAL: AC Milan sign Radu Drăgușin.", "AC Milan"),
        ("Tottenham have announced the departure of the defender.", "Tottenham"),
        ("The deal was confirmed by Arsenal on Friday.", "Arsenal"),
        ("The club announced the signing on Friday.", "the club"),
    ],
)
def test_a_club_is_a_source_only_when_it_speaks(directory: SourceDirectory, text: str, expected: str) -> None:
    cited = directory.cited(text)
    assert names(cited) == [expected]
    assert cited[0].kind is SourceKind.CLUB and cited[0].tier == 0


def test_club_owned_media_speak_for_the_club(directory: SourceDirectory) -> None:
    cited = directory.cited("\"I want to stay,\" Lautaro told Inter TV after the game.")
    assert [(s.name, s.tier) for s in cited] == [("Inter TV", 0)]
    assert directory.cited("Inter beat Milan and Milan TV showed the highlights.") == []


def test_a_club_named_as_a_suitor_is_not_a_source(directory: SourceDirectory) -> None:
    assert directory.cited("Tottenham want Milan's defender and Arsenal are keen too.") == []


def test_report_source_prefers_the_cited_source_over_the_feed(directory: SourceDirectory) -> None:
    feed = directory.get("CaughtOffside")
    assert feed is not None
    cited = directory.report_source("Roma are in talks for Zirkzee, per Fabrizio Romano.", feed)
    assert cited is not None and cited.name == "Fabrizio Romano" and cited.tier == 1
    assert directory.report_source("Roma are in talks for Zirkzee.", feed) is feed
    assert directory.report_source("Roma are in talks for Zirkzee.", None) is None


# ----------------------------------------------------------------------------- folding


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Drăgușin") == fold("DRAGUSIN") == "dragusin"
    assert fold("Ødegaard Łukasz Çalhanoğlu Strauß") == "odegaard lukasz calhanoglu strauss"


def test_fold_with_map_points_back_into_the_original() -> None:
    text = "Straße to Milán"
    result = fold_with_maps(text)
    folded, starts = result.text, result.to_original
    index = folded.index("milan")
    assert text[starts[index] : starts[index + len("milan")]] == "Milán"
    assert len(starts) == len(folded) + 1


# ----------------------------------------------------------------------------- loading errors


def test_every_problem_in_a_bad_file_is_reported_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text(
        """
[[outlet]]
name = "Good"
tier = 2

[[outlet]]
name = "Too Low"
tier = 9

[[outlet]]
tier = 1

[[journalist]]
name = "Nobody"
tier = 1
outlet = "Missing Outlet"

[[outlet]]
name = "good"
tier = 3
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_sources(bad)
    problems = "\n".join(error.value.problems)
    assert "Too Low" in problems and "tier must be" in problems
    assert "name is required" in problems
    assert "Missing Outlet" in problems
    assert "more than once" in problems


def test_missing_or_broken_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[outlet]\nname = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_sources(broken)
