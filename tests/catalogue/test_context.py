"""Sport and women's-football context, on the shipped catalogue: what a reader takes from the sentence."""

from __future__ import annotations

import pytest

from bot.catalogue import Matcher


def ids(matcher: Matcher, title: str, body: str = "") -> list[str]:
    return matcher.match_item(title, body).entity_ids()


# ----------------------------------------------------------------------------- women's football


@pytest.mark.parametrize(
    ("title", "body", "club"),
    [
        ("Chelsea close in on Paralluelo", "The WSL champions have agreed terms with the Barcelona forward.",
         "club:chelsea-women"),
        ("Chelsea women beat Arsenal", "", "club:chelsea-women"),
        ("Chelsea close in on Caicedo extension", "Enzo Maresca wants the midfielder to stay.", "club:chelsea"),
        ("Jule Brand to Chelsea, here we go!", "Agreement reached with OL Lyonnes.", "club:chelsea-women"),
    ],
)
def test_a_mens_club_name_means_its_womens_team_only_where_womens_football_is_meant(
    matcher: Matcher, title: str, body: str, club: str
) -> None:
    found = ids(matcher, title, body)
    assert club in found
    other = "club:chelsea" if club == "club:chelsea-women" else "club:chelsea-women"
    assert other not in found


def test_namesakes_across_mens_and_womens_football_follow_the_context(matcher: Matcher) -> None:
    assert "player:linda-caicedo" in ids(matcher, "Caicedo double stuns Barça", "Linda Caicedo scored twice in Liga F.")
    mens = ids(matcher, "Caicedo signs new Chelsea deal", "The midfielder is happy at Stamford Bridge.")
    assert "player:moises-caicedo" in mens and "player:linda-caicedo" not in mens
    shaws = ids(matcher, "A weekend of Shaws", "Khadija Shaw scored twice for Manchester City Women, and a day "
                "later Luke Shaw headed the winner for Manchester United.")
    assert {"player:khadija-shaw", "player:luke-shaw", "club:manchester-city-women", "club:manchester-united"} <= set(
        shaws
    )


def test_in_a_mixed_sentence_each_name_takes_the_nearest_cue(matcher: Matcher) -> None:
    found = ids(matcher, "Emirates double", "Bukayo Saka scored in Arsenal's win over Brentford, and a day later "
                "Alessia Russo's header earned Arsenal Women a win over Tottenham in the WSL.")
    assert {"club:arsenal", "club:arsenal-women", "club:tottenham-women"} <= set(found)
    assert "club:tottenham" not in found


def test_a_womens_surname_alone_or_a_first_name_does_not_make_an_item_womens(matcher: Matcher) -> None:
    # "Round" (Milly Round) and "Jean" (Ellie Jean) are words and first names in men's news.
    assert ids(matcher, "Milan step up talks", "AC Milan held a second round of talks with Tottenham.") == [
        "club:ac-milan", "club:tottenham"
    ]
    found = ids(matcher, "Real Madrid are keen to sign Jean-Baptiste Koné from Rennes.")
    assert "club:real-madrid" in found and "player:ellie-jean" not in found
    assert "player:paula-tomas" not in ids(matcher, "Porto agree deal for Boca teenager Tomás Aranda")


# ----------------------------------------------------------------------------- other sports


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Leicester Tigers beat Bath", "Two tries from the wing sealed the Premiership Rugby win at Welford Road."),
        ("Real Madrid beat Olympiacos", "Real Madrid beat Olympiacos 88-81 in the EuroLeague on Thursday night."),
        ("Root century in the Ashes", "Mark Wood took three wickets and Nathan Lyon bowled 30 overs."),
        ("Jaguars win in London", "Two touchdowns at the Tottenham Hotspur Stadium in the NFL's London series."),
        ("Barkley runs riot as Eagles beat Cowboys", "Saquon Barkley ran for 150 yards."),
    ],
)
def test_an_item_about_another_sport_names_no_football_club_or_player(matcher: Matcher, title: str, body: str) -> None:
    assert ids(matcher, title, body) == []


def test_a_football_item_that_mentions_another_sport_keeps_its_football_names(matcher: Matcher) -> None:
    found = ids(matcher, "Bristol City pitch relaid after Bears game", "Bristol City's Ashton Gate pitch was damaged "
                "by Bristol Bears' Premiership Rugby fixture. Anis Mehmeti trained on it before the Championship game.")
    assert found.count("club:bristol-city") >= 1 and "player:anis-mehmeti" in found
    # Athletes and the sports' names say who someone is, not what the sentence reports.
    watched = ids(matcher, "Sinner and Leclerc watch Juventus beat Napoli",
                  "Tennis star Jannik Sinner was at the Allianz Stadium with F1 driver Charles Leclerc.")
    assert {"club:juventus", "club:napoli"} <= set(watched)


def test_a_footballers_name_another_sports_athlete_shares_drops_only_in_that_sport(matcher: Matcher) -> None:
    rugby = ids(matcher, "Newcastle Red Bulls sign Ben White", "The scrum-half joins from Toulon in Premiership Rugby.")
    assert rugby == []
    assert "player:ben-white" in ids(matcher, "Arsenal's Ben White out for a month", "The defender hurt his knee.")
