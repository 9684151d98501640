"""`mercato catalogue …` as an operator uses it: in-process, a small seed folder, a database in tmp_path."""

from __future__ import annotations

import asyncio
import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, load_catalogue, norm
from bot.catalogue.operator import load_common_words, load_database_layer
from bot.cli import main
from bot.models import AliasKind
from bot.storage import Storage

CLUBS = """
league = "Test League"
country = "Testland"

[[club]]
name = "Arsenal"
nicknames = ["Gunners"]

[[club]]
name = "Lens"
nicknames = ["Sang et Or"]

[[club]]
name = "Chelsea"
nicknames = ["Blues"]

[[club]]
name = "Manchester City"
shared = ["City"]
"""
PLAYERS = """name,aliases,club,position,nationality,as_of
Declan Rice,Rice,Arsenal,MF,England,2025-09-01
John Stones,Stones,Manchester City,DF,England,2025-09-01
Cole Palmer,Palmer,Chelsea,MF,England,2025-09-01
Harry Kane,~Kane,Chelsea,FW,England,2025-09-01
"""


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "seeds"
    (root / "clubs").mkdir(parents=True)
    (root / "players").mkdir()
    (root / "clubs" / "test.toml").write_text(CLUBS, encoding="utf-8")
    (root / "players" / "test.csv").write_text(PLAYERS, encoding="utf-8")
    (root / "common_words.txt").write_text("# words\nrice\nkane\n", encoding="utf-8")
    (root / "people.toml").write_text('[[person]]\nname = "Pep Guardiola"\nrole = "manager"\n', encoding="utf-8")
    monkeypatch.setenv("MERCATO_SEEDS", str(root))
    return root


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "mercato.sqlite3"


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), "catalogue", *args])


def stats(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    capsys.readouterr()
    assert run(db, "stats", "--json") == 0
    return json.loads(capsys.readouterr().out)


def merged(db: Path, seeds: Path) -> Catalogue:
    """The catalogue the bot would start with on this database."""

    async def load() -> Catalogue:
        storage = await Storage.open(db)
        try:
            base = load_catalogue(seeds)
            await storage.catalogue.sync(base)
            words = load_common_words(seeds / "common_words.txt")
            return await load_database_layer(storage, base, common_words=words, now=datetime.now(UTC))
        finally:
            await storage.close()

    return asyncio.run(load())


def with_storage(db: Path, action: str) -> list[tuple[object, ...]]:
    """Run one SQL statement against the database (set-up and inspection only)."""

    async def go() -> list[tuple[object, ...]]:
        storage = await Storage.open(db)
        try:
            if action.lstrip().upper().startswith("SELECT"):
                return [tuple(r) for r in await storage.db.fetchall(action)]
            await storage.db.execute(action)
            return []
        finally:
            await storage.close()

    return asyncio.run(go())


def test_stats_json_counts_the_seeds(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`stats --json` has exactly clubs, players, aliases and provisional, counted from the catalogue."""
    base = load_catalogue(seeds)
    assert stats(db, capsys) == {
        "clubs": len(base.clubs()), "players": len(base.players()), "aliases": len(base.aliases), "provisional": 0,
    }


def test_add_player_is_stored_merged_and_refused_twice(
    seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """add-player stores an operator player with aliases; the merged catalogue matches him; a second add fails."""
    before = stats(db, capsys)
    assert run(db, "add-player", "Joe Bloggs", "--club", "lens", "--alias", "Bloggsy", "--alias", "~Joe",
               "--position", "fw", "--nationality", "England") == 0
    assert "Added Joe Bloggs (player:joe-bloggs) at Lens." in capsys.readouterr().out
    after = stats(db, capsys)
    assert (after["players"], after["aliases"]) == (before["players"] + 1, before["aliases"] + 3)

    catalogue = merged(db, seeds)
    bloggs = catalogue.get("player:joe-bloggs")
    assert (bloggs.club_id, bloggs.position, bloggs.country, bloggs.provisional) == ("club:lens", "FW", "England", False)
    assert {a.text: a.kind for a in catalogue.aliases_of(bloggs.id)} == {
        "Joe Bloggs": AliasKind.STRONG, "Bloggsy": AliasKind.STRONG, "Joe": AliasKind.CONTEXT,
    }
    assert with_storage(db, "SELECT source FROM entities WHERE id = 'player:joe-bloggs'") == [("operator",)]

    assert run(db, "add-player", "joe bloggs", "--club", "Arsenal") == 1
    assert "already in the catalogue" in capsys.readouterr().err


def test_add_player_rejects_unknown_club_and_position(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Errors say what was wrong: an unknown club (with a suggestion) or a bad position; nothing is stored."""
    assert run(db, "add-player", "Joe Bloggs", "--club", "Lensington Town") == 1
    assert "No club called “Lensington Town”" in capsys.readouterr().err
    assert run(db, "add-player", "Joe Bloggs", "--club", "Lens", "--position", "striker") == 1
    assert "not one of DF, FW, GK, MF" in capsys.readouterr().err
    assert stats(db, capsys)["players"] == len(load_catalogue(seeds).players())


def test_add_alias_by_name_and_id_with_context(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """add-alias takes a name or an id; --context makes the alias context-only; a duplicate is refused."""
    assert run(db, "add-alias", "Cole Palmer", "Cold Palmer") == 0
    assert run(db, "add-alias", "player:john-stones", "Stonesy", "--context") == 0
    assert run(db, "add-alias", "Chelsea", "The Pensioners") == 0
    capsys.readouterr()
    assert run(db, "add-alias", "palmer", "Cold Palmer") == 1
    assert "already an alias" in capsys.readouterr().err

    catalogue = merged(db, seeds)
    assert [e.id for e in catalogue.resolve("cold palmer")] == ["player:cole-palmer"]
    assert {a.entity_id: a.kind for a in catalogue.aliases_for("stonesy")} == {"player:john-stones": AliasKind.CONTEXT}
    assert [e.id for e in catalogue.resolve("the pensioners")] == ["club:chelsea"]


def test_a_shared_alias_is_added_but_downgraded_and_reported(
    seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An alias another player already has can no longer name either alone: both become context-only."""
    assert run(db, "add-alias", "Declan Rice", "Stones") == 0
    assert "only counts with context" in capsys.readouterr().out
    catalogue = merged(db, seeds)
    assert {a.entity_id: a.kind for a in catalogue.aliases_for("stones")} == {
        "player:declan-rice": AliasKind.CONTEXT, "player:john-stones": AliasKind.CONTEXT,
    }


def test_move_player_survives_a_seed_resync(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """move-player updates club and as_of; changing the seed files (a re-sync) does not undo it."""
    assert run(db, "move-player", "Declan Rice", "Chelsea") == 0
    assert "Moved Declan Rice from Arsenal to Chelsea." in capsys.readouterr().out
    assert run(db, "move-player", "Declan Rice", "Chelsea") == 1
    assert "already at Chelsea" in capsys.readouterr().err

    with (seeds / "players" / "test.csv").open("a", encoding="utf-8") as handle:
        handle.write("Bukayo Saka,Saka,Arsenal,FW,England,2025-09-01\n")
    catalogue = merged(db, seeds)
    rice = catalogue.get("player:declan-rice")
    assert rice.club_id == "club:chelsea"
    assert rice.as_of == datetime.now(UTC).date().isoformat()
    assert catalogue.find("player:bukayo-saka") is not None  # the re-sync did happen
    assert with_storage(db, "SELECT club_id FROM entities WHERE id = 'player:declan-rice'") == [("club:chelsea",)]


def test_export_then_import_round_trips(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export writes every player in seed columns; importing that file changes nothing; the seed loader reads it."""
    assert run(db, "add-player", "Joe Bloggs", "--club", "Lens", "--alias", "~Bloggs") == 0
    out = tmp_path / "players.csv"
    assert run(db, "export", str(out)) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["name", "aliases", "club", "position", "nationality", "as_of"]
    assert {r["name"] for r in rows} == {"Declan Rice", "John Stones", "Cole Palmer", "Harry Kane", "Joe Bloggs"}
    assert next(r for r in rows if r["name"] == "Harry Kane")["aliases"] == "~Kane"

    capsys.readouterr()
    assert run(db, "import", str(out)) == 0
    assert "0 added, 0 moved, 0 alias(es) added, 5 unchanged" in capsys.readouterr().out

    copy = tmp_path / "copy"
    (copy / "players").mkdir(parents=True)
    (copy / "clubs").mkdir()
    (copy / "clubs" / "test.toml").write_text(CLUBS, encoding="utf-8")
    (copy / "players" / "all.csv").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    (copy / "common_words.txt").write_text((seeds / "common_words.txt").read_text(encoding="utf-8"), encoding="utf-8")
    reloaded, original = load_catalogue(copy), merged(db, seeds)

    def players(c: Catalogue) -> set[tuple[object, ...]]:
        return {(p.name, p.club_id, p.position, p.country, p.as_of,
                 frozenset((norm(a.text), a.kind) for a in c.aliases_of(p.id))) for p in c.players()}

    assert players(reloaded) == players(original)


def test_import_adds_moves_and_reports_bad_rows(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV adds new players, moves known ones, adds their new aliases; bad rows are listed and exit 1."""
    source = tmp_path / "in.csv"
    source.write_text(
        "name,aliases,club,position,nationality,as_of\n"
        "Joe Bloggs,Bloggsy,Lens,FW,England,2026-01-20\n"
        "Cole Palmer,Palmer|Cold Palmer,Arsenal,MF,England,2026-01-21\n"
        "Nobody Atall,,Atlantis FC,FW,,\n"
        ",,Lens,,,\n",
        encoding="utf-8",
    )
    assert run(db, "import", str(source)) == 1
    captured = capsys.readouterr()
    assert "1 added, 1 moved, 1 alias(es) added, 0 unchanged" in captured.out
    assert "in.csv:4" in captured.err and "Atlantis FC" in captured.err and "in.csv:5" in captured.err

    catalogue = merged(db, seeds)
    assert catalogue.get("player:joe-bloggs").as_of == "2026-01-20"
    palmer = catalogue.get("player:cole-palmer")
    assert (palmer.club_id, palmer.as_of) == ("club:arsenal", "2026-01-21")
    assert [e.id for e in catalogue.resolve("Cold Palmer")] == ["player:cole-palmer"]


def test_import_refuses_a_file_without_the_columns(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV without name/club columns is refused as a whole, with the expected header."""
    source = tmp_path / "bad.csv"
    source.write_text("player,team\nJoe,Lens\n", encoding="utf-8")
    assert run(db, "import", str(source)) == 1
    assert "missing column(s) name, club" in capsys.readouterr().err


def test_term_follows_are_relinked_by_add_player_and_add_alias(
    seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Free-text follows equal to a new name become entity follows (a user already following keeps one)."""
    assert run(db, "stats") == 0
    now = datetime.now(UTC).isoformat()
    for guild, user, entity, term in ((1, 10, None, "joe bloggs"), (1, 11, None, "bloggsy"), (1, 11, None, "joe bloggs"),
                                      (1, 12, None, "cold palmer"), (1, 12, "player:cole-palmer", None)):
        with_storage(db, f"INSERT INTO follows (guild_id, user_id, entity_id, term, term_norm, created_at) "
                         f"VALUES ({guild}, {user}, {f'{entity!r}' if entity else 'NULL'}, "
                         f"{f'{term!r}' if term else 'NULL'}, {f'{term!r}' if term else 'NULL'}, '{now}')")
    capsys.readouterr()
    assert run(db, "add-player", "Joe Bloggs", "--club", "Lens", "--alias", "Bloggsy") == 0
    assert "2 free-text follow(s) now follow Joe Bloggs." in capsys.readouterr().out
    assert run(db, "add-alias", "Cole Palmer", "Cold Palmer") == 0
    follows = with_storage(db, "SELECT user_id, entity_id, term_norm FROM follows ORDER BY user_id, id")
    assert follows == [(10, "player:joe-bloggs", None), (11, "player:joe-bloggs", None),
                       (12, "player:cole-palmer", None)]


def test_check_is_clean_on_good_seeds(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No problem: exit 0; common-word aliases (Rice, Kane) are context-only, so not reported as problems."""
    assert run(db, "check") == 0
    out = capsys.readouterr().out
    assert "Problems (fix these): none" in out and out.rstrip().endswith("OK")


def test_check_fails_on_a_duplicate_and_lists_lookalike_words(
    seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A player listed twice makes check exit 1; aliases the stored news uses as words are listed to review."""
    (seeds / "players" / "more.csv").write_text(
        "name,aliases,club,position,nationality,as_of\nCole Palmer,Palmer,Arsenal,MF,England,2025-09-01\n",
        encoding="utf-8",
    )
    assert run(db, "stats") == 0
    now = datetime.now(UTC).isoformat()
    with_storage(db, f"INSERT INTO feeds (id, url, next_due_at, added_at) VALUES (1, 'https://x.example/rss', '{now}', '{now}')")
    for n, text in enumerate(("He laid the foundation stones of the club", "Throwing stones at the bus", "John Stones")):
        with_storage(db, "INSERT INTO items (feed_id, uid, dedupe_key, title, summary, published_at, fetched_at, "
                         f"alertable) VALUES (1, 'u{n}', 'k{n}', '{text}', '', '{now}', '{now}', 1)")
    capsys.readouterr()
    assert run(db, "check") == 1
    out = capsys.readouterr().out
    assert "duplicate player Cole Palmer" in out and "same nationality and position" in out
    assert "“Stones” (player:john-stones) appears as a lower-case word in 2 stored items" in out
    assert "“Palmer”" not in out.split("To review")[1].split("Explained")[0]


def test_check_strict_counts_review_items(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--strict: an alias to review is enough to exit 1."""
    assert run(db, "stats") == 0
    now = datetime.now(UTC).isoformat()
    with_storage(db, f"INSERT INTO feeds (id, url, next_due_at, added_at) VALUES (1, 'https://x.example/rss', '{now}', '{now}')")
    for n in range(2):
        with_storage(db, "INSERT INTO items (feed_id, uid, dedupe_key, title, summary, published_at, fetched_at, "
                         f"alertable) VALUES (1, 'u{n}', 'k{n}', 'the stones', '', '{now}', '{now}', 1)")
    assert run(db, "check") == 0
    assert run(db, "check", "--strict") == 1


def test_check_on_the_shipped_seeds_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped catalogue has no unexplained problem: no common word can name a player alone."""
    assert main(["--db", str(tmp_path / "real.sqlite3"), "catalogue", "check"]) == 0
    out = capsys.readouterr().out
    assert "Problems (fix these): none" in out
    assert "common_words.txt yet names the player alone" not in out
