"""The seed loader's trust rules, and the shipped catalogue's coverage and consistency."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue import Catalogue, load_catalogue
from bot.catalogue.seeds import SeedError
from bot.models import AliasKind, EntityKind

TOP_FIVE = {"Premier League": 20, "Serie A": 20, "LaLiga": 20, "Bundesliga": 18, "Ligue 1": 18}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def tiny_seeds(tmp_path: Path) -> Path:
    write(tmp_path / "clubs" / "x.toml", """
league = "Test League"
country = "Testland"

[[club]]
name = "Inter"
names = ["Inter Milan"]
nicknames = ["Nerazzurri"]
shared = ["Inter"]

[[club]]
name = "Atalanta"
nicknames = ["Nerazzurri", "La Dea"]

[[club]]
name = "AC Milan"
places = ["Milan"]
""")
    write(tmp_path / "players" / "p.csv", """name,aliases,club,position,nationality,as_of
Lautaro Martínez,Lautaro|Martínez,Inter Milan,FW,Argentina,2025-09-01
Lisandro Martínez,Martínez,Atalanta,DF,Argentina,2025-09-01
Declan Rice,Rice,AC Milan,MF,England,2025-09-01
Test Keeper,~Keeper,Atalanta,GK,Italy,2025-09-01
""")
    write(tmp_path / "common_words.txt", "# words\nrice\n")
    write(tmp_path / "people.toml", '[[person]]\nname = "Pep Guardiola"\nrole = "manager"\naliases = ["Guardiola"]\n')
    return tmp_path


def kinds(catalogue: Catalogue, text: str) -> dict[str, AliasKind]:
    return {a.entity_id: a.kind for a in catalogue.aliases_for(text)}


def test_loader_decides_alias_trust(tmp_path: Path) -> None:
    """Shared nicknames become confirm-only, shared surnames and common words need context, `~` is context."""
    catalogue = load_catalogue(tiny_seeds(tmp_path))
    assert kinds(catalogue, "nerazzurri") == {"club:inter": AliasKind.CONFIRM, "club:atalanta": AliasKind.CONFIRM}
    assert kinds(catalogue, "inter") == {"club:inter": AliasKind.CONFIRM}
    assert kinds(catalogue, "milan") == {"club:ac-milan": AliasKind.PLACE}
    assert set(kinds(catalogue, "martinez").values()) == {AliasKind.CONTEXT}
    assert kinds(catalogue, "rice") == {"player:declan-rice": AliasKind.CONTEXT}
    assert kinds(catalogue, "keeper") == {"player:test-keeper": AliasKind.CONTEXT}
    assert kinds(catalogue, "lautaro") == {"player:lautaro-martinez": AliasKind.STRONG}
    assert catalogue.get("player:lautaro-martinez").club_id == "club:inter"  # resolved through an alias
    assert [p.name for p in catalogue.people] == ["Pep Guardiola"]


def test_broken_seed_files_are_refused_with_file_and_line(tmp_path: Path) -> None:
    """A broken seed file stops loading with one error naming every problem's file and line, never a partial catalogue."""
    seeds = tiny_seeds(tmp_path)
    with (seeds / "players" / "p.csv").open("a", encoding="utf-8") as handle:
        handle.write('Joe Bloggs,,Nowhere FC,FW,England,2025-09-01\n"Multi\nLine",,Inter,XX,Italy,2025-09-01\n'
                     f'{"x" * 101},,Inter,FW,Italy,2025-09-01\n')
    (seeds / "clubs" / "y.toml").write_text('league = "Y"\n\n[[club]]\nname = "Alpha"\n\n[[club]]\nnames = ["B"]\n',
                                           encoding="utf-8")
    (seeds / "clubs" / "z.toml").write_text('[[club]]\nname = "Zed\n', encoding="utf-8")
    with pytest.raises(SeedError) as refused:
        load_catalogue(seeds)
    message = str(refused.value)
    assert message.startswith("Broken seed files")
    assert refused.value.problems == [
        "clubs/y.toml:6: club #2: missing name",
        refused.value.problems[1],
        "players/p.csv:6: club 'Nowhere FC' is unknown",
        "players/p.csv:7: position 'XX' is not one of GK, DF, MF, FW",
        "players/p.csv:9: name longer than 100 characters",
    ]
    assert refused.value.problems[1].startswith("clubs/z.toml: cannot read") and "line 2" in refused.value.problems[1]


def test_a_player_file_without_its_header_is_refused(tmp_path: Path) -> None:
    """A players file whose header lacks name/club is one problem at line 1, not hundreds of "missing name"."""
    seeds = tiny_seeds(tmp_path)
    write(seeds / "players" / "q.csv", "Joe Bloggs,,Inter,FW,England,2025-09-01\n")
    with pytest.raises(SeedError, match=r"players/q\.csv:1: the header must name the columns name,aliases,club"):
        load_catalogue(seeds)


def test_shipped_catalogue_covers_the_top_five_leagues(catalogue: Catalogue) -> None:
    """Every 2025-26 club of the big five leagues is in the catalogue."""
    counts: dict[str, int] = {}
    for club in catalogue.clubs():
        if club.league in TOP_FIVE:
            counts[club.league] = counts.get(club.league, 0) + 1
    assert counts == TOP_FIVE


def test_shipped_catalogue_has_the_starter_players(catalogue: Catalogue) -> None:
    """At least 300 players, including the seed article's two, at their January 2026 clubs."""
    assert len(catalogue.players()) >= 300
    assert catalogue.club_of("player:radu-dragusin").name == "Tottenham"
    assert catalogue.club_of("player:nathan-ake").name == "Manchester City"


def test_shipped_catalogue_has_no_load_problems(catalogue: Catalogue) -> None:
    """Every seed row loads: clubs resolve, positions are valid, nothing is duplicated."""
    assert catalogue.problems == []


def test_shipped_nicknames(catalogue: Catalogue) -> None:
    """The nicknames PRODUCT.md promises resolve to their clubs."""
    expected = {
        "Rossoneri": "AC Milan", "Nerazzurri": "Inter", "Spurs": "Tottenham", "Blaugrana": "Barcelona",
        "Die Roten": "Bayern Munich", "Bianconeri": "Juventus", "Gunners": "Arsenal", "Red Devils": "Manchester United",
        "Los Blancos": "Real Madrid", "Colchoneros": "Atlético Madrid", "Giallorossi": "AS Roma", "Partenopei": "Napoli",
    }
    for nickname, club in expected.items():
        assert [e.name for e in catalogue.resolve(nickname, EntityKind.CLUB)][:1] == [club], nickname


def test_every_player_has_a_club_and_position(catalogue: Catalogue) -> None:
    """Seeded players carry their current club and a position."""
    missing = [p.name for p in catalogue.players() if p.club_id is None or p.position is None]
    assert missing == []
