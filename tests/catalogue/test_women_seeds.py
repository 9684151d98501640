"""Women's teams and players in seeds/, the sport vocabulary, and how the loader validates both."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.catalogue.seeds import SeedError
from bot.catalogue.vocabulary import load_vocabulary
from bot.models import AliasKind, EntityKind

WOMEN_LEAGUES = {"WSL", "Liga F", "NWSL", "D1 Arkëma", "Frauen-Bundesliga", "Serie A Femminile"}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def seeds(tmp_path: Path, *, women_clubs: str, players: str = "", women_players: str = "") -> Path:
    write(tmp_path / "clubs" / "men.toml", 'league = "Men League"\n\n[[club]]\nname = "Chelsea"\n\n'
          '[[club]]\nname = "Lyon"\nplaces = ["Lyon"]\n')
    write(tmp_path / "clubs" / "women.toml", 'league = "Women League"\nwomen = true\n\n' + women_clubs)
    header = "name,aliases,club,position,nationality,as_of\n"
    write(tmp_path / "players" / "men.csv", header + players)
    write(tmp_path / "players" / "women-x.csv", header + women_players)
    return tmp_path


def test_a_womens_team_is_its_own_entity_linked_to_its_club(tmp_path: Path) -> None:
    catalogue = load_catalogue(seeds(
        tmp_path,
        women_clubs='[[club]]\nname = "Chelsea Women"\nparent = "Chelsea"\n\n[[club]]\nname = "OL Lyonnes"\n'
                    'parent = "Lyon"\n',
        players="Moisés Caicedo,Caicedo,Chelsea,MF,Ecuador,2025-09-01\n",
        women_players="Linda Caicedo,Caicedo,OL Lyonnes,FW,Colombia,2026-10-01\n",
    ))
    assert catalogue.problems == []
    women = catalogue.get("club:chelsea-women")
    assert women.women and women.parent_id == "club:chelsea" and women.league == "Women League"
    assert catalogue.get("club:ol-lyonnes").parent_id == "club:lyon"  # a place-like canonical name resolves
    assert catalogue.get("player:linda-caicedo").women and not catalogue.get("player:moises-caicedo").women
    # A surname shared across men's and women's football stays strong for both: the context decides.
    assert {a.entity_id: a.kind for a in catalogue.aliases_for("caicedo")} == {
        "player:moises-caicedo": AliasKind.STRONG, "player:linda-caicedo": AliasKind.STRONG
    }


def test_broken_womens_seeds_are_reported_with_file_and_place(tmp_path: Path) -> None:
    with pytest.raises(SeedError) as refused:
        load_catalogue(seeds(
        tmp_path,
        women_clubs='[[club]]\nname = "Chelsea Women"\nparent = "Chelsea"\n\n'
                    '[[club]]\nname = "Chelsea Ladies"\nparent = "Chelsea"\n\n'
                    '[[club]]\nname = "Ghost Women"\nparent = "Nowhere"\n\n'
                    '[[club]]\nname = "Odd Women"\nwomen = "yes"\n',
        players="Lauren James,James,Chelsea Women,FW,England,2026-09-01\n",
        women_players="Reece James,James,Chelsea,DF,England,2025-09-01\n",
        ))
    problems = "\n".join(refused.value.problems)  # every problem at once, each with its file and line
    assert "women.toml:8: club #2 (Chelsea Ladies): 'Chelsea' already has a women's team (Chelsea Women)" in problems
    assert "women.toml:12: club #3 (Ghost Women): parent 'Nowhere' is not a men's club in seeds/clubs" in problems
    assert "women.toml:16: club #4 (Odd Women): women: expected true or false, got 'yes'" in problems
    assert "men.csv:2: 'Chelsea Women' is a women's club; women's players belong in a women-*.csv file" in problems
    assert "women-x.csv:2: 'Chelsea' is a men's club; men's players belong in a file not named women-*.csv" in (
        problems
    )


def test_a_parent_is_only_for_a_womens_team(tmp_path: Path) -> None:
    write(tmp_path / "clubs" / "men.toml", 'league = "L"\n\n[[club]]\nname = "Chelsea"\n\n'
          '[[club]]\nname = "Fulham"\nparent = "Chelsea"\n')
    with pytest.raises(SeedError) as refused:
        load_catalogue(tmp_path)
    assert refused.value.problems == ["clubs/men.toml:6: club #2 (Fulham): only a women's team has a parent club"]


def test_the_vocabulary_is_validated_and_every_problem_reported(tmp_path: Path) -> None:
    path = tmp_path / "sports.toml"
    write(path, """
[women]
words = ["WSL", "wsl", "Lionesses", 3]
[men]
words = ["Lionesses"]
[football]
words = ["tries"]
colour = "red"
[other]
score_min = -1
[[sport]]
name = "rugby"
words = ["tries"]
[[sport]]
words = ["x"]
[extra]
""")
    problems: list[str] = []
    vocabulary = load_vocabulary(path, problems)
    assert vocabulary.women == ("WSL", "Lionesses")
    assert problems == [
        "sports.toml: unknown section [extra] (expected one of football, men, other, sport, women)",
        "sports.toml [women] words #2: 'wsl' is listed twice",
        "sports.toml [women] words #4: expected a word or name of two characters or more, got 3",
        "sports.toml [football]: unknown key 'colour'",
        "sports.toml [other] score_min: expected a whole number >= 0, got -1",
        "sports.toml [[sport]] #2: missing name",
        "sports.toml: 'lionesses' is both a women's and a men's word",
        "sports.toml [[sport]] 'rugby' words: 'tries' is also a football word",
    ]


def test_a_broken_vocabulary_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path / "sports.toml", "[women\n")
    problems: list[str] = []
    assert load_vocabulary(tmp_path / "sports.toml", problems).is_empty()
    assert len(problems) == 1 and problems[0].startswith("sports.toml: cannot read")


def test_shipped_womens_catalogue_covers_the_big_leagues(catalogue: Catalogue) -> None:
    """Issue #10: at least 70 women's clubs (the six big leagues and more) and 1,200 women's players."""
    clubs = [c for c in catalogue.clubs() if c.women]
    players = [p for p in catalogue.players() if p.women]
    assert len(clubs) >= 70 and len(players) >= 1200
    leagues = Counter(c.league for c in clubs)
    assert all(leagues[league] >= 12 for league in WOMEN_LEAGUES), leagues
    assert sum(1 for p in players if any(ord(ch) > 127 for ch in p.name)) >= 100  # diacritics kept
    # Every women's team of a men's club in the catalogue is linked to it, each club to one team at most.
    parents = [c.parent_id for c in clubs if c.parent_id]
    assert len(parents) == len(set(parents)) >= 60
    assert catalogue.get("club:chelsea-women").parent_id == "club:chelsea"
    assert catalogue.club_of("player:lauren-james") == catalogue.get("club:chelsea-women")
    assert all(p.club_id is not None and p.position is not None and p.as_of for p in players)


def test_shipped_vocabulary_loads(catalogue: Catalogue) -> None:
    vocabulary = catalogue.vocabulary
    assert "WSL" in vocabulary.women and "Premiership Rugby" in next(
        s.words for s in vocabulary.sports if s.name == "rugby union"
    )
    assert {s.name for s in vocabulary.sports} >= {"rugby union", "rugby league", "basketball", "cricket"}
    assert catalogue.resolve("Chelsea Women", EntityKind.CLUB)[0].id == "club:chelsea-women"
