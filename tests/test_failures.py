"""What an operator sees when something is wrong: one line saying what and what to do, a non-zero exit
status, and no traceback (it goes to the log at DEBUG). One test per failure."""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage.db import latest_migration
from tests.conftest import REPO, SEEDS


@pytest.fixture(autouse=True)
def operator_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean environment in an empty working directory (no .env, no MERCATO_* from outside)."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith(("MERCATO_", "DISCORD_"))]:
        monkeypatch.delenv(key)


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Mercato database with the catalogue in it (1.8 MB: corruption in the middle is read)."""
    path = tmp_path_factory.mktemp("good") / "mercato.sqlite3"
    assert main(["--db", str(path), "catalogue", "stats"]) == 0
    return path


def one_line_failure(capsys: pytest.CaptureFixture[str], status: int, expected: int = 1) -> str:
    """Check the failure's shape and return its line."""
    err = capsys.readouterr().err.strip()
    assert status == expected, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def copy_of(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.sqlite3"
    shutil.copy(db, target)
    return target


def test_a_text_file_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --db that points at a text file is refused, and the file is left alone."""
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 20)
    line = one_line_failure(capsys, main(["--db", str(notes), "stories"]))
    assert "is not a Mercato database" in line and "MERCATO_DB or --db" in line
    assert notes.read_text() == "shopping list\n" * 20


def test_a_damaged_database(good_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pages overwritten with garbage: damaged, restore a backup."""
    db = copy_of(good_db, tmp_path)
    with open(db, "r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\x5a" * 4096 * 20)
    line = one_line_failure(capsys, main(["--db", str(db), "stories"]))
    assert "is damaged" in line and "restore a backup" in line


def test_a_truncated_database(good_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file cut short (a copy that stopped half-way) is reported as damaged."""
    db = copy_of(good_db, tmp_path)
    with open(db, "r+b") as handle:
        handle.truncate(db.stat().st_size // 3)
    line = one_line_failure(capsys, main(["--db", str(db), "feeds", "list"]))
    assert "is damaged" in line


def test_a_folder_as_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --db that is a folder cannot be opened; the message says it must be a file."""
    line = one_line_failure(capsys, main(["--db", str(tmp_path), "stories"]))
    assert "Cannot open or create the database" in line and "not a folder" in line


def test_a_database_from_a_newer_mercato(good_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """user_version above the newest migration (a downgrade) is refused before anything is written."""
    db = copy_of(good_db, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    line = one_line_failure(capsys, main(["--db", str(db), "stories"]))
    assert f"written by a newer Mercato (schema 99; this one knows up to {latest_migration()})" in line
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_lock_held_longer_than_the_busy_timeout(good_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holding the write lock past MERCATO_DB_BUSY_TIMEOUT: say so, and what to do."""
    db = copy_of(good_db, tmp_path)
    monkeypatch.setenv("MERCATO_DB_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        line = one_line_failure(capsys, main(["--db", str(db), "feeds", "add", "https://93.184.215.14/rss"]))
    finally:
        holder.close()
    assert "stayed locked by another process for over 0.2 s" in line and "second Mercato" in line


def test_seeds_without_sources_toml_exits_instead_of_hanging(tmp_path: Path) -> None:
    """MERCATO_SEEDS missing sources.toml: one line, exit 2, and the process ends (it used to hang)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for entry in SEEDS.iterdir():
        if entry.name != "sources.toml":
            (seeds / entry.name).symlink_to(entry)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MERCATO_", "DISCORD_"))}
    env.update(PYTHONPATH=str(REPO), MERCATO_SEEDS=str(seeds), MERCATO_DB=str(tmp_path / "m.sqlite3"))
    proc = subprocess.run([sys.executable, "-m", "bot", "stories"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"Invalid configuration: {seeds / 'sources.toml'}: file not found"]


def test_an_article_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mercato match` on a Latin-1 file names the byte and says to save it as UTF-8."""
    article = tmp_path / "article.txt"
    article.write_bytes("Milan want Drăgușin\nCafé talks".encode().replace(b"\xc3\xa9", b"\xe9"))
    line = one_line_failure(capsys, main(["match", str(article)]))
    assert line.startswith(f"error: {article} is not UTF-8 text (byte 0xe9 at offset") and "save it as UTF-8" in line


def test_a_dotenv_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A .env saved in Latin-1 is a configuration error (exit 2), and its contents are not shown."""
    (tmp_path / ".env").write_bytes(b"DISCORD_TOKEN=s\xe9cret-token\n")
    line = one_line_failure(capsys, main(["stories"]), expected=2)
    assert line == "Invalid configuration: .env: not UTF-8 text; save it as UTF-8 (or plain ASCII)"


def test_a_missing_jsonl_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mercato match --jsonl FILE` with no such file."""
    line = one_line_failure(capsys, main(["match", "--jsonl", str(tmp_path / "batch.jsonl")]))
    assert line == f"error: Cannot read {tmp_path / 'batch.jsonl'}: No such file or directory"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://xn--.example/rss", "not a valid international (xn--) domain name"),
        ("https://news.example/" + "a" * 10_000, "That URL is 10,021 characters long; a feed address has at most 2,048"),
    ],
    ids=["xn--", "10 KB"],
)
def test_feed_urls_that_cannot_be_feeds(url: str, expected: str, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """An invalid IDNA host and a 10 KB URL are refused before any database is touched."""
    db = tmp_path / "m.sqlite3"
    line = one_line_failure(capsys, main(["--db", str(db), "feeds", "add", url]))
    assert expected in line
    assert not db.exists()


def test_a_huge_since(capsys: pytest.CaptureFixture[str]) -> None:
    """--since past ten years is a usage error on one line (exit 2), not an overflow."""
    with pytest.raises(SystemExit) as exited:
        main(["stories", "--since", "99999999999999"])
    line = one_line_failure(capsys, int(str(exited.value.code)), expected=2)
    assert line == ("mercato stories: error: argument --since: expected hours from 1 to 87600 (ten years) "
                    "(see `mercato stories --help`)")


def test_a_configuration_error_never_echoes_the_value(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A token pasted into the wrong variable is named, never shown."""
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhJkLm.secret-part-of-the-token"
    monkeypatch.setenv("MERCATO_POLL_INTERVAL", token)
    monkeypatch.setenv("MERCATO_CONTACT", "ops@example.org\r\nX-Injected: 1")
    assert main(["stories"]) == 2
    err = capsys.readouterr().err
    assert "MERCATO_POLL_INTERVAL: expected a whole number from 10 to 86400" in err
    assert "MERCATO_CONTACT: expected an e-mail address or URL in plain ASCII" in err
    assert "secret" not in err and "Injected" not in err


def test_the_traceback_is_in_the_log_at_debug(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With MERCATO_LOG_LEVEL=DEBUG the same failure also logs its traceback, for a bug report."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    monkeypatch.setenv("MERCATO_LOG_LEVEL", "DEBUG")
    assert main(["--db", str(notes), "stories"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "sqlite3.DatabaseError: file is not a database" in err
    assert err.strip().splitlines()[-1].startswith("error: ")


def test_db_is_accepted_anywhere_on_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`mercato stories --db X` and `mercato catalogue stats --db X` work like `mercato --db X …`."""
    db = tmp_path / "here.sqlite3"
    assert main(["stories", "--since", "5", "--db", str(db)]) == 0
    assert main(["catalogue", "stats", "--json", "--db", str(db)]) == 0
    assert db.is_file()
    assert not (tmp_path / "data").exists()  # the default path was never used


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`mercato --version` prints the installed version and how the reading code runs."""
    from importlib.metadata import version

    from bot import native

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"mercato {version('mercato')}; reading code: {native.status()}"


# ---------------------------------------------------------------- file permissions (without root's override)


def drop_root_file_override() -> None:
    """In the child, before exec: drop the capabilities that let root ignore file modes (no-op for others).

    prctl(PR_CAPBSET_DROP) removes them from the bounding set, so the exec'd Python never has them:
    root then obeys a 0444 file and a 0555 folder like any user.
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 24, 1, 2, 3


def run_without_write_access(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `mercato ARGS` in a child that file modes apply to."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MERCATO_", "DISCORD_"))}
    env.update(PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60, preexec_fn=drop_root_file_override)


@pytest.fixture
def locked_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder whose modes are restored after the test, so pytest can clean it up."""
    folder = tmp_path / "locked"
    folder.mkdir()
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_database(good_db: Path, locked_folder: Path) -> None:
    """A database file this user may not write: read-only, and how to fix it."""
    db = locked_folder / "mercato.sqlite3"
    shutil.copy(good_db, db)
    db.chmod(0o444)
    locked_folder.chmod(0o555)
    proc = run_without_write_access("--db", str(db), "feeds", "list", cwd=locked_folder)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [(
        f"error: The database {db} is read-only for this user: give it (and its folder, for the -wal and -shm files) "
        "write access, or run Mercato as the user that owns it."
    )]


def test_a_database_in_an_unwritable_folder(locked_folder: Path) -> None:
    """A new database in a folder this user may not create files in, or whose parent cannot be created."""
    locked_folder.chmod(0o555)
    inside = run_without_write_access("--db", str(locked_folder / "mercato.sqlite3"), "stories", cwd=locked_folder)
    nested = run_without_write_access("--db", str(locked_folder / "data" / "m.sqlite3"), "stories", cwd=locked_folder)
    assert (inside.returncode, nested.returncode) == (1, 1), inside.stderr + nested.stderr
    assert inside.stderr.strip().splitlines() == [(
        f"error: Cannot open or create the database {locked_folder / 'mercato.sqlite3'}: check that it is a file (not "
        "a folder) in a folder this user may write to."
    )]
    assert nested.stderr.strip().splitlines() == [(
        f"error: Cannot create the folder {locked_folder / 'data'} for the database (Permission denied): create it, "
        "or set MERCATO_DB to a file in a folder this user may write to."
    )]
