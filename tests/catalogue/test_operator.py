"""The database layer merged into the catalogue, and the operator use-cases behind `mercato catalogue`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.catalogue.operator import CatalogueOperator, merge_layer
from bot.describe import match_to_dict
from bot.errors import InvalidInput, NotFound
from bot.models import Alias, AliasKind, Entity, EntityKind
from bot.storage import Storage
from bot.storage.entities import CatalogueLayer, PlayerMove, Sighting, StoredEntity
from tests.catalogue.test_seeds import tiny_seeds

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def base(tmp_path: Path) -> Catalogue:
    """The tiny seed catalogue: Inter, Atalanta, AC Milan; Lautaro/Lisandro Martínez, Declan Rice ("rice" is a word)."""
    return load_catalogue(tiny_seeds(tmp_path))


def player(entity_id: str, name: str, club_id: str | None = None, *, provisional: bool = False) -> Entity:
    return Entity(entity_id, EntityKind.PLAYER, name, club_id=club_id, provisional=provisional)


def kinds(catalogue: Catalogue, folded: str) -> dict[str, AliasKind]:
    return {a.entity_id: a.kind for a in catalogue.aliases_for(folded)}


# ----------------------------------------------------------------------------- merge_layer


def test_merge_adds_players_moves_and_aliases_without_touching_the_base(base: Catalogue) -> None:
    """Database players join, moves change club and date, and the seed catalogue object is left as it was."""
    layer = CatalogueLayer(
        entities=[StoredEntity(player("player:joe-bloggs", "Joe Bloggs", "club:inter"), "operator")],
        aliases=[Alias("Joe Bloggs", "player:joe-bloggs", AliasKind.STRONG)],
        moves=[PlayerMove("player:declan-rice", "club:atalanta", "2026-01-28")],
    )
    merged = merge_layer(base, layer)
    assert merged.get("player:joe-bloggs").club_id == "club:inter"
    assert (merged.get("player:declan-rice").club_id, merged.get("player:declan-rice").as_of) == (
        "club:atalanta", "2026-01-28"
    )
    assert base.find("player:joe-bloggs") is None and base.get("player:declan-rice").club_id == "club:ac-milan"
    assert Matcher(merged).match("Joe Bloggs scored").entity_ids() == ["player:joe-bloggs"]


def test_merge_applies_the_loaders_trust_rules(base: Catalogue) -> None:
    """A common word, a non-player's name or another player's alias never names a database player alone."""
    layer = CatalogueLayer(
        entities=[StoredEntity(player("player:joe-bloggs", "Joe Bloggs"), "operator")],
        operator_aliases=[
            Alias("Rice", "player:joe-bloggs", AliasKind.STRONG),  # common word, and Declan Rice's alias
            Alias("Guardiola", "player:joe-bloggs", AliasKind.STRONG),  # a manager's name
            Alias("Lautaro", "player:joe-bloggs", AliasKind.STRONG),  # Lautaro Martínez's strong alias
        ],
    )
    merged = merge_layer(base, layer, common_words=frozenset({"rice"}))
    assert kinds(merged, "rice") == {"player:declan-rice": AliasKind.CONTEXT, "player:joe-bloggs": AliasKind.CONTEXT}
    assert kinds(merged, "guardiola") == {"player:joe-bloggs": AliasKind.CONTEXT}
    assert kinds(merged, "lautaro") == {"player:lautaro-martinez": AliasKind.CONTEXT,
                                        "player:joe-bloggs": AliasKind.CONTEXT}
    assert {c.alias for c in merged.collisions if "database" in c.resolution} >= {"Rice", "Guardiola", "Lautaro"}


def test_merge_keeps_seed_rows_and_reports_dangling_rows(base: Catalogue) -> None:
    """A seed entity wins over a database row with its id; a move or alias naming nothing is a problem."""
    layer = CatalogueLayer(
        entities=[StoredEntity(player("player:declan-rice", "Someone Else"), "operator")],
        operator_aliases=[Alias("Ghost", "player:gone", AliasKind.STRONG)],
        moves=[PlayerMove("player:declan-rice", "club:nowhere", "2026-01-01")],
    )
    merged = merge_layer(base, layer)
    assert merged.get("player:declan-rice").name == "Declan Rice"
    assert len([p for p in merged.problems if p.startswith("database:")]) == 2


def test_provisional_players_are_flagged_in_match_output(base: Catalogue) -> None:
    """A provisional player merged at start-up is matched, and `match --json` says he is provisional."""
    layer = CatalogueLayer(
        entities=[StoredEntity(player("player:joe-bloggs", "Joe Bloggs", "club:inter", provisional=True),
                               "provisional")],
        aliases=[Alias("Joe Bloggs", "player:joe-bloggs", AliasKind.STRONG)],
    )
    merged = merge_layer(base, layer)
    view = match_to_dict(Matcher(merged).match("Joe Bloggs and Declan Rice"), merged)
    assert {p["name"]: p["provisional"] for p in view["players"]} == {"Joe Bloggs": True, "Declan Rice": False}


# ----------------------------------------------------------------------------- CatalogueOperator


@pytest.fixture
async def operator(storage: Storage, base: Catalogue, tmp_path: Path) -> CatalogueOperator:
    return await CatalogueOperator.open(storage, base, tmp_path, now=NOW)


async def test_find_explains_ambiguity_and_absence(operator: CatalogueOperator) -> None:
    """An ambiguous name lists the ids to use instead; an unknown one says so, with near matches."""
    with pytest.raises(InvalidInput, match=r"player:lautaro-martinez.*player:lisandro-martinez|"
                                           r"player:lisandro-martinez.*player:lautaro-martinez"):
        operator.find("Martínez", EntityKind.PLAYER)
    with pytest.raises(NotFound, match="Did you mean"):
        operator.find("Atalant", EntityKind.CLUB)
    assert operator.find("player:declan-rice").name == "Declan Rice"


async def test_add_player_confirms_a_provisional_player(storage: Storage, operator: CatalogueOperator) -> None:
    """Adding a name the pipeline holds as provisional confirms that entity (same id, sightings kept)."""
    await storage.feeds.add("https://x.example/rss", now=NOW)
    await storage.db.execute(
        "INSERT INTO items (id, feed_id, uid, dedupe_key, title, summary, published_at, fetched_at, alertable) "
        "VALUES (1, 1, 'u', 'k', 't', '', :now, :now, 1)", {"now": NOW.isoformat()},
    )
    await storage.entities.record_sightings(
        1, 1, [Sighting("player:joe-bloggs", "Joe Bloggs", None, "Joe Bloggs, 23")], now=NOW
    )
    await operator.refresh()
    assert operator.stats()["provisional"] == 1
    assert "Joe Bloggs" not in {r["name"] for r in operator.export_rows()}  # unconfirmed: not exported

    change = await operator.add_player("Joe Bloggs", club="Atalanta", now=NOW)
    assert change.message.startswith("Confirmed provisional player Joe Bloggs (player:joe-bloggs)")
    assert (change.entity.provisional, change.entity.club_id) == (False, "club:atalanta")
    assert await storage.entities.source_of("player:joe-bloggs") == "operator"
    assert len(await storage.entities.sightings("player:joe-bloggs")) == 1
    assert operator.stats()["provisional"] == 0
    assert "Joe Bloggs" in {r["name"] for r in operator.export_rows()}


async def test_add_player_refuses_a_known_name_in_any_spelling(operator: CatalogueOperator) -> None:
    """"Declan-Rice" or "declan rice" is the catalogued Declan Rice: the operator is pointed at move-player."""
    for spelling in ("Declan-Rice", "declan rice"):
        with pytest.raises(InvalidInput, match="move-player"):
            await operator.add_player(spelling, club="Inter", now=NOW)
    assert operator.catalogue.get("player:declan-rice").club_id == "club:ac-milan"
