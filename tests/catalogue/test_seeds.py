"""The seed loader's trust rules, and the shipped catalogue's coverage and consistency."""

from __future__ import annotations

from pathlib import Path

from bot.catalogue import Catalogue, load_catalogue
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
Lisandro Martínez,Martínez,Nowhere FC,DF,Argentina,2025-09-01
Declan Rice,Rice,AC Milan,MF,England,2025-09-01
Test Keeper,~Keeper,Atalanta,XX,Italy,2025-09-01
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


def test_loader_reports_problems(tmp_path: Path) -> None:
    """Unknown clubs and bad positions are reported with file and line, and loading goes on."""
    catalogue = load_catalogue(tiny_seeds(tmp_path))
    assert any("p.csv:3" in p and "Nowhere FC" in p for p in catalogue.problems)
    assert any("p.csv:5" in p and "position" in p for p in catalogue.problems)
    assert catalogue.get("player:lisandro-martinez").club_id is None


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
