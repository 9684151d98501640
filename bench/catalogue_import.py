"""`mercato catalogue import` at scale: 2,000 and 20,000 rows, in the catalogue's own CSV and in the
transfermarkt-datasets layout (players.csv + clubs.csv), against the shipped seeds.

Each run is the whole command as an operator runs it (load the seeds, open the database, plan, write
in one transaction), on a database where the seeds are already synced. Baseline, in the same run:
reading the same CSV and inserting its rows into a scratch SQLite table in one transaction — the
least any import of that file has to do — so the ratio says how much the catalogue work adds.
Target (issue 10): 20,000 rows in at most 10 s.
"""

from __future__ import annotations

import contextlib
import csv
import io
import random
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.catalogue import Catalogue, load_catalogue
from bot.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SYLLABLES = ["dra", "gu", "șin", "øde", "gaard", "ko", "vić", "mül", "ler", "san", "chez", "ło", "wski", "ber", "na",
             "rdo", "ța", "ğan", "ész", "ni", "ro", "al", "ves", "ki", "to", "ma", "ri", "el", "zo", "ju"]
POSITIONS = {"GK": "Goalkeeper", "DF": "Defender", "MF": "Midfield", "FW": "Attack"}


def rows_for(catalogue: Catalogue, count: int, seed: int = 3) -> list[dict[str, str]]:
    """``count`` rows: known players (a third moved, a third with a new alias, a third unchanged), then new ones.

    Namesakes are left out: a row cannot say which of two "Vitinha"s it means, so the import refuses it.
    """
    rng = random.Random(seed)
    clubs = sorted(c.name for c in catalogue.clubs())
    names = Counter(p.name for p in catalogue.players())
    known = sorted((p for p in catalogue.players() if p.club_id and names[p.name] == 1), key=lambda p: p.id)
    rng.shuffle(known)
    rows: list[dict[str, str]] = []
    for index, player in enumerate(known[: min(len(known), count * 3 // 10)]):
        club = catalogue.get(player.club_id or "").name
        aliases = ""
        if index % 3 == 0:
            club = rng.choice([c for c in clubs if c != club])
        elif index % 3 == 1:
            aliases = f"{player.name.split()[-1]} Jr"
        rows.append({"name": player.name, "aliases": aliases, "club": club, "position": player.position or "",
                     "nationality": player.country or "", "as_of": "2026-12-01"})
    n = 0
    while len(rows) < count:
        first = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
        last = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        rows.append({"name": f"{first} {last} {n}", "aliases": "", "club": rng.choice(clubs),
                     "position": rng.choice(list(POSITIONS)), "nationality": "", "as_of": "2026-12-01"})
        n += 1
    return rows


def write_own(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_transfermarkt(rows: list[dict[str, str]], folder: Path) -> Path:
    """The same rows as transfermarkt-datasets' players.csv + clubs.csv (their column names)."""
    folder.mkdir(parents=True, exist_ok=True)
    club_ids = {name: 1000 + i for i, name in enumerate(sorted({r["club"] for r in rows}))}
    with (folder / "clubs.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["club_id", "club_code", "name", "domestic_competition_id", "last_season"])
        writer.writerows([club_id, name.lower().replace(" ", "-"), name, "XX1", 2026] for name, club_id in
                         club_ids.items())
    with (folder / "players.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["player_id", "name", "current_club_id", "current_club_name", "country_of_citizenship",
                         "position", "last_season"])
        for index, row in enumerate(rows):
            writer.writerow([index + 1, row["name"], club_ids[row["club"]], row["club"], row["nationality"],
                             POSITIONS.get(row["position"], "Missing"), 2026])
    return folder / "players.csv"


def baseline(path: Path) -> float:
    """Read the CSV and insert every row into a scratch table in one transaction."""
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(len(rows[0])))})")
    with conn:
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(rows[0]))})", rows)
    conn.close()
    return time.perf_counter() - start


def timed_import(db: Path, path: Path) -> tuple[float, int]:
    """Run `mercato --db DB catalogue import PATH` in process; return (seconds, exit status)."""
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(["--db", str(db), "catalogue", "import", str(path)])
    return time.perf_counter() - start, status


def run(
    *, quick: bool = False, sizes: tuple[int, ...] = (2_000, 20_000), layouts: tuple[str, ...] = ("own", "tm")
) -> None:
    """Print seconds per import, and the ratio to the bare read-and-insert baseline."""
    catalogue = load_catalogue(SEEDS)
    for size in (200, 2_000) if quick else sizes:
        rows = rows_for(catalogue, size)
        for layout in layouts:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                db = folder / "bench.sqlite3"
                with contextlib.redirect_stdout(io.StringIO()):
                    main(["--db", str(db), "catalogue", "stats"])  # sync the seeds first, as a running bot has
                path = write_own(rows, folder / "own.csv") if layout == "own" else write_transfermarkt(rows, folder)
                floor = baseline(path)
                seconds, status = timed_import(db, path)
            label = "own CSV" if layout == "own" else "transfermarkt-datasets"
            print(f"  {size:>6,} rows, {label:23s}: {seconds:7.2f} s = {seconds / floor:6.0f}x baseline "
                  f"(read + insert {floor:.3f} s), exit {status}{'  (target <= 10 s)' if size >= 20_000 else ''}")
