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
    assert "Moved Declan Rice from Arsenal to Chelsea (move #1)." in capsys.readouterr().out
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
    assert "0 moved, 0 new, 0 gone, 0 alias(es) added, 0 alias(es) kept, 5 unchanged\nNothing to change." in (
        capsys.readouterr().out)

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


def test_a_bad_file_is_refused_whole_with_line_and_column(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad cell is named (file:line, column) and nothing at all is imported, not even the good rows."""
    assert run(db, "stats") == 0
    before = with_storage(db, "SELECT count(*) FROM entities")
    source = tmp_path / "in.csv"
    source.write_text(
        "name,aliases,club,position,nationality,as_of\n"
        "Joe Bloggs,Bloggsy,Lens,FW,England,2026-01-20\n"
        "Cole Palmer,Palmer|Cold Palmer,Arsenal,MF,England,2026-01-21\n"
        "Nobody Atall,,Atlantis FC,FW,,\n"
        ",,Lens,,,\n"
        f"{'x' * 10_000},,Lens,striker,,31/01/2026\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert run(db, "import", str(source)) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported: 5 problem(s) in the file." in err
    assert "in.csv:4, column club: 'Atlantis FC' is not in the catalogue" in err
    assert "in.csv:5, column name: empty" in err
    assert "in.csv:6, column name: The name is 10000 characters long; at most 100 are allowed." in err
    assert "in.csv:6, column position: 'STRIKER' is not one of DF, FW, GK, MF" in err
    assert "in.csv:6, column as_of: '31/01/2026' is not a date like 2026-01-31" in err
    assert "Traceback" not in err
    assert with_storage(db, "SELECT count(*) FROM entities") == before
    assert with_storage(db, "SELECT count(*) FROM move_log") == [(0,)]


def test_import_adds_moves_and_adds_aliases_with_a_dry_run_first(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run prints the diff and changes nothing; the real run applies exactly that diff."""
    source = tmp_path / "in.csv"
    source.write_text(
        "name,aliases,club,position,nationality,as_of\n"
        "Joe Bloggs,Bloggsy,Lens,FW,England,2026-01-20\n"
        "Cole Palmer,Palmer|Cold Palmer,Arsenal,MF,England,2026-01-21\n"
        "John Stones,,Manchester City,DF,England,\n",
        encoding="utf-8",
    )
    assert run(db, "import", "--dry-run", str(source)) == 0
    out = capsys.readouterr().out
    assert ("Import of in.csv (catalogue CSV): 1 moved, 1 new, 0 gone, 1 alias(es) added, 2 alias(es) kept, "
            "1 unchanged") in out
    assert "Cole Palmer: Chelsea -> Arsenal (line 3)" in out and "Joe Bloggs at Lens (line 2)" in out
    assert "“Cold Palmer” for Cole Palmer (line 3)" in out and "Dry run: nothing was changed." in out
    assert merged(db, seeds).find("player:joe-bloggs") is None

    assert run(db, "import", str(source)) == 0
    assert "Applied in one transaction." in capsys.readouterr().out
    catalogue = merged(db, seeds)
    assert catalogue.get("player:joe-bloggs").as_of == "2026-01-20"
    palmer = catalogue.get("player:cole-palmer")
    assert (palmer.club_id, palmer.as_of) == ("club:arsenal", "2026-01-21")
    assert [e.id for e in catalogue.resolve("Cold Palmer")] == ["player:cole-palmer"]
    assert run(db, "player", "Cole Palmer", "--json") == 0
    history = json.loads(capsys.readouterr().out)["history"]
    assert [(h["club"], h["evidence"]["origin"]) for h in history] == [("Chelsea", "seeds"), ("Arsenal", "import")]


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


def test_check_refuses_a_duplicate_seed_row_and_lists_lookalike_words(
    seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A player listed twice in the seeds is a broken seed file (file:line); words the news uses are listed to review."""
    assert run(db, "stats") == 0
    now = datetime.now(UTC).isoformat()
    with_storage(db, f"INSERT INTO feeds (id, url, next_due_at, added_at) VALUES (1, 'https://x.example/rss', '{now}', '{now}')")
    for n, text in enumerate(("He laid the foundation stones of the club", "Throwing stones at the bus", "John Stones")):
        with_storage(db, "INSERT INTO items (feed_id, uid, dedupe_key, title, summary, published_at, fetched_at, "
                         f"alertable) VALUES (1, 'u{n}', 'k{n}', '{text}', '', '{now}', '{now}', 1)")
    capsys.readouterr()
    assert run(db, "check") == 0
    out = capsys.readouterr().out
    assert "“Stones” (player:john-stones) appears as a lower-case word in 2 stored items" in out

    (seeds / "players" / "more.csv").write_text(
        "name,aliases,club,position,nationality,as_of\nCole Palmer,Palmer,Arsenal,MF,England,2025-09-01\n",
        encoding="utf-8",
    )
    assert run(db, "check") == 2  # a configuration error (docs/operations.md: exit statuses)
    err = capsys.readouterr().err
    assert "Broken seed files" in err and "players/test.csv:4: 'Cole Palmer' looks listed twice" in err


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


TM_CLUBS = """club_id,club_code,name,domestic_competition_id,total_market_value,squad_size,average_age,foreigners_number,foreigners_percentage,national_team_players,stadium_name,stadium_seats,net_transfer_record,coach_name,last_season,filename,url
11,fc-arsenal,Arsenal Football Club,GB1,,25,26.1,15,60.0,18,Emirates Stadium,60704,+€-250.00m,,2026,../data/raw/transfermarkt-scraper/2026/clubs.json.gz,https://www.transfermarkt.co.uk/fc-arsenal/startseite/verein/11
631,fc-chelsea,Chelsea Football Club,GB1,,27,24.0,18,66.7,15,Stamford Bridge,40853,+€-150.00m,,2026,,
281,manchester-city,Manchester City Football Club,GB1,,24,26.9,16,66.7,19,Etihad Stadium,55017,+€-120.00m,,2026,,
826,rc-lens,Racing Club de Lens,FR1,,26,25.7,12,46.2,6,Stade Bollaert-Delelis,38223,+€29.00m,,2026,,
27,fc-bayern-munchen,FC Bayern München,L1,,26,26.5,13,50.0,20,Allianz Arena,75024,+€-60.00m,,2026,,
"""
TM_PLAYERS = """player_id,first_name,last_name,name,last_season,current_club_id,player_code,country_of_birth,city_of_birth,country_of_citizenship,date_of_birth,sub_position,position,foot,height_in_cm,contract_expiration_date,agent_name,image_url,url,current_club_domestic_competition_id,current_club_name,market_value_in_eur,highest_market_value_in_eur
357662,Declan,Rice,Declan Rice,2026,11,declan-rice,England,London,England,1999-01-14,Defensive Midfield,Midfield,right,185,2028-06-30,,,,GB1,Arsenal Football Club,120000000,120000000
568177,Cole,Palmer,Cole Palmer,2026,11,cole-palmer,England,Manchester,England,2002-05-06,Attacking Midfield,Midfield,left,189,2033-06-30,,,,GB1,Arsenal Football Club,130000000,130000000
186590,John,Stones,John Stones,2026,27,john-stones,England,Barnsley,England,1994-05-28,Centre-Back,Defender,right,188,2026-06-30,,,,L1,FC Bayern München,25000000,60000000
132098,Harry,Kane,Harry Kane,2024,631,harry-kane,England,London,England,1993-07-28,Centre-Forward,Attack,right,188,2027-06-30,,,,GB1,Chelsea Football Club,90000000,150000000
999001,Joe,Bloggs,Joe Bloggs,2026,826,joe-bloggs,England,Leeds,England,2004-02-01,Centre-Forward,Attack,right,181,2029-06-30,,,,FR1,Racing Club de Lens,5000000,5000000
580195,Jamal,Musiala,Jamal Musiala,2026,27,jamal-musiala,Germany,Stuttgart,Germany,2003-02-26,Attacking Midfield,Midfield,right,184,2030-06-30,,,,L1,FC Bayern München,130000000,140000000
"""


def test_transfermarkt_datasets_layout_gives_a_reviewed_diff_then_applies_it(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """players.csv + clubs.csv (their columns): clubs mapped by name; moved, new, gone, aliases kept; then applied."""
    folder = tmp_path / "tm"
    folder.mkdir()
    (folder / "clubs.csv").write_text(TM_CLUBS, encoding="utf-8")
    (folder / "players.csv").write_text(TM_PLAYERS, encoding="utf-8")
    assert run(db, "import", "--dry-run", str(folder / "players.csv")) == 0
    out = capsys.readouterr().out
    assert ("Import of players.csv (transfermarkt-datasets): 1 moved, 1 new, 2 gone, 0 alias(es) added, "
            "6 alias(es) kept, 1 unchanged") in out
    assert "Cole Palmer: Chelsea -> Arsenal (line 3)" in out
    assert "Joe Bloggs at Lens (line 6)" in out  # "Racing Club de Lens" maps through its code, rc-lens
    assert "John Stones (Manchester City): now at FC Bayern München (line 4)" in out
    assert "Harry Kane (Chelsea): not in the file's squad" in out  # his row is from an older season
    assert "FC Bayern München (club_id 27, 2 player(s))" in out
    assert merged(db, seeds).get("player:cole-palmer").club_id == "club:chelsea"

    assert run(db, "import", str(folder)) == 0  # the folder works as well as its players.csv
    catalogue = merged(db, seeds)
    assert catalogue.get("player:cole-palmer").club_id == "club:arsenal"
    assert (catalogue.get("player:joe-bloggs").club_id, catalogue.get("player:joe-bloggs").position) == (
        "club:lens", "FW")
    assert catalogue.get("player:john-stones").club_id is None
    assert [a.text for a in catalogue.aliases_of("player:john-stones")] == ["John Stones", "Stones"]
    capsys.readouterr()
    assert run(db, "player", "stones", "--json") == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["club"], [h["club"] for h in record["history"]]) == (None, ["Manchester City", None])
    assert run(db, "import", str(folder)) == 0
    assert "0 moved, 0 new, 0 gone" in capsys.readouterr().out  # a second run finds nothing left to do


def test_a_bad_transfermarkt_file_imports_nothing(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A non-numeric id names its file, line and column, and no row of either file is applied."""
    (tmp_path / "clubs.csv").write_text(TM_CLUBS, encoding="utf-8")
    bad = TM_PLAYERS.replace("2004-02-01,Centre-Forward", "2004-02-01,Centre-Forward").replace(
        "999001,Joe,Bloggs,Joe Bloggs,2026,826", "999001,Joe,Bloggs,Joe Bloggs,2026,Lens")
    (tmp_path / "players.csv").write_text(bad, encoding="utf-8")
    assert run(db, "import", str(tmp_path / "players.csv")) == 1
    err = capsys.readouterr().err
    assert "players.csv:6, column current_club_id: 'Lens' is not a whole number" in err
    assert merged(db, seeds).get("player:cole-palmer").club_id == "club:chelsea"
    (tmp_path / "clubs.csv").unlink()
    assert run(db, "import", str(tmp_path / "players.csv")) == 1
    assert "clubs.csv not found" in capsys.readouterr().err


def test_export_escapes_formulas_and_still_round_trips(
    seeds: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cells starting with = + - @ (or tab/CR) get a leading apostrophe; importing the export changes nothing."""
    assert run(db, "add-player", "=HYPERLINK(\"http://x\")", "--club", "Lens", "--alias", "@Bloggs") == 0
    assert run(db, "add-alias", "Cole Palmer", "--", "-Palmer") == 0
    out = tmp_path / "players.csv"
    assert run(db, "export", str(out)) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = {r["name"]: r for r in csv.DictReader(handle)}
    assert rows["'=HYPERLINK(\"http://x\")"]["aliases"] == "'@Bloggs"
    assert rows["Cole Palmer"]["aliases"] == "Palmer|-Palmer"  # only a cell's first character matters
    capsys.readouterr()
    assert run(db, "import", str(out)) == 0
    assert "0 moved, 0 new, 0 gone, 0 alias(es) added" in capsys.readouterr().out


def test_names_are_bounded(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 10 KB player name or a 101-character alias is refused with the limit, and nothing is stored."""
    assert run(db, "add-player", "x" * 10_000, "--club", "Lens") == 1
    assert "is 10000 characters long; at most 100 are allowed" in capsys.readouterr().err
    assert run(db, "add-alias", "Cole Palmer", "y" * 101) == 1
    assert "at most 100 are allowed" in capsys.readouterr().err
    assert run(db, "add-alias", "Cole Palmer", "y" * 100) == 0


def test_moves_list_undo_and_their_errors(seeds: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Operator moves are logged; only the latest applied move of a player can be undone, and undo is exact."""
    assert run(db, "move-player", "Declan Rice", "Chelsea") == 0
    assert run(db, "move-player", "Declan Rice", "Lens") == 0
    capsys.readouterr()
    assert run(db, "moves") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("#2 applied") and "Declan Rice: Chelsea -> Lens  (operator: move-player)" in lines[0]
    assert "Declan Rice: Arsenal -> Chelsea" in lines[1]
    assert run(db, "undo", "1") == 1
    assert "Declan Rice has moved since move #1; undo #2 first." in capsys.readouterr().err
    assert run(db, "reject", "2") == 1
    assert "applied, not pending" in capsys.readouterr().err
    assert run(db, "approve", "99") == 1
    assert "No move #99" in capsys.readouterr().err
    assert run(db, "undo", "2") == 0 and run(db, "undo", "1") == 0
    rice = merged(db, seeds).get("player:declan-rice")
    assert (rice.club_id, rice.as_of) == ("club:arsenal", "2025-09-01")
    assert with_storage(db, "SELECT count(*) FROM player_moves") == [(0,)]  # back to the seeds exactly
    capsys.readouterr()
    assert run(db, "moves", "--json") == 0
    assert [(m["id"], m["status"]) for m in json.loads(capsys.readouterr().out)] == [(2, "undone"), (1, "undone")]
