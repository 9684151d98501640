"""The `mercato` command line, as an operator uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO, SEED_ARTICLE_PATHS
from tests.feedserver import FeedServer

SEED = next(p for p in SEED_ARTICLE_PATHS if p.is_file())


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MERCATO_"))}
    env.update(extra)
    return env


def test_match_json_on_the_seed_article(capsys: pytest.CaptureFixture[str]) -> None:
    """`mercato match --json` prints one object with exactly the seed article's players and clubs."""
    assert main(["match", str(SEED), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"players", "clubs", "rumours", "language"}
    assert out["language"] == "en"
    players = {p["name"]: p for p in out["players"]}
    assert set(players) == {"Radu Drăgușin", "Nathan Aké"}
    assert players["Radu Drăgușin"]["club"] == "Tottenham"
    assert players["Nathan Aké"]["club"] == "Manchester City"
    assert "Drăgușin" in players["Radu Drăgușin"]["matched"]
    clubs = {c["name"]: c["matched"] for c in out["clubs"]}
    assert set(clubs) == {"AC Milan", "Tottenham", "AS Roma", "Napoli", "Manchester City"}
    assert {"AC Milan", "Milan", "Rossoneri"} <= set(clubs["AC Milan"])


def test_match_reads_stdin_and_strips_html(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Input from stdin: first line title, the rest a body that may be HTML."""
    import io

    raw = io.BytesIO(b"Transfer news\n<p>Inter Milan want <b>dragusin</b></p>")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(raw, encoding="utf-8"))
    assert main(["match", "-", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["matched"] for p in out["players"]] == [["dragusin"]]
    assert [c["name"] for c in out["clubs"]] == ["Inter"]


def test_match_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json the output is readable."""
    assert main(["match", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "Radu Drăgușin (Tottenham)" in out and "Clubs:" in out


def test_match_jsonl_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each input line gives one output line, in order; a broken line is reported, not fatal."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"title": "Milan want Drăgușin", "summary": ""}) + "\n"
        + "not json\n"
        + json.dumps({"title": "Napoli news", "summary": "<p>Nothing else</p>"}) + "\n",
        encoding="utf-8",
    )
    assert main(["match", "--jsonl", str(batch)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3
    assert [p["name"] for p in lines[0]["players"]] == ["Radu Drăgușin"]
    assert "error" in lines[1]
    assert [c["name"] for c in lines[2]["clubs"]] == ["Napoli"]


def test_run_without_token_explains_what_to_set(tmp_path: Path) -> None:
    """`mercato run` with no DISCORD_TOKEN exits 2 and says what to set and where."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=clean_env(PYTHONPATH=str(REPO)),
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "DISCORD_TOKEN" in proc.stderr and ".env" in proc.stderr and "make demo" in proc.stderr


def test_invalid_settings_exit_2_listing_each(tmp_path: Path) -> None:
    """Bad settings are all listed and the command exits 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(REPO), MERCATO_POLL_INTERVAL="x", MERCATO_LOG_LEVEL="LOUD"),
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "MERCATO_POLL_INTERVAL" in proc.stderr and "MERCATO_LOG_LEVEL" in proc.stderr


def test_feeds_add_refuses_loopback(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed on a loopback address is refused with a clear error, and nothing is stored."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("MERCATO_")]:
        monkeypatch.delenv(key)
    db = tmp_path / "m.sqlite3"
    assert main(["--db", str(db), "feeds", "add", "http://127.0.0.1:8080/rss"]) == 1
    assert "loopback" in capsys.readouterr().err
    assert main(["--db", str(db), "feeds", "list"]) == 0
    assert "127.0.0.1" not in capsys.readouterr().out


async def test_poll_once_prints_one_line_per_feed(tmp_path: Path) -> None:
    """`mercato poll --once` polls the configured feeds and prints a summary line for each."""
    item = f"<item><title>Milan want Drăgușin</title><link>https://x.example/1</link><pubDate>{datetime.now(UTC):%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
    async with FeedServer() as server:
        server.add("/rss", f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{item}</channel></rss>")
        server.add("/broken", "nope", status=500)
        env = clean_env(PYTHONPATH=str(REPO), MERCATO_ALLOW_PRIVATE_FEEDS="true", MERCATO_DB=str(tmp_path / "db.sqlite3"))
        for url in (server.url("/rss"), server.url("/broken")):
            add = await _run(env, tmp_path, "feeds", "add", url)
            assert add.returncode == 0, add.stderr
        await _run(env, tmp_path, "feeds", "remove", "https://feeds.bbci.co.uk/sport/football/rss.xml")
        poll = await _run(env, tmp_path, "poll", "--once")
    out = poll.stdout
    assert f"{server.url('/rss')}: 1 new item (first poll: stored, not alerted)" in out
    assert f"{server.url('/broken')}: error: HTTP 500" in out
    assert poll.returncode == 1  # a feed failed


async def _run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import asyncio

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return subprocess.CompletedProcess(args, proc.returncode or 0, out.decode(), err.decode())


def test_demo_plays_the_pipeline_offline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`mercato demo` stores the first poll silently, then prints the seed article's alert and the shortlist,
    and writes the shortlist's heat chart."""
    chart = tmp_path / "demo.png"
    assert main(["demo", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert f"Heat chart /shortlist milan attaches (each player's heat over time): {chart}" in out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first, _, second = out.partition("Three hours later")
    assert "first poll: stored, not alerted" in first
    assert "AC Milan hold lengthy meeting with Radu Drăgușin’s representatives" in second
    assert "'Drăgușin'" in second and "'Rossoneri'" in second
    assert "Inter Milan cruise past Como" in second.split("Not alerted:")[1]  # Inter is not AC Milan
    assert "older than the 48 h cut-off" in second
    assert "gossip-column.xml: not modified" in second
    # One alert per story: the second outlet's report of the same rumour joins it instead of posting again.
    assert second.count("── AC Milan hold lengthy meeting") == 2  # the alert, and what was read in it
    assert "Also reported by: North London News" in second
    shortlist = out.split("/shortlist milan -> AC Milan (hottest first):")[1]
    assert shortlist.index("Radu Drăgușin") < shortlist.index("Nathan Aké")


def test_match_explain_shows_the_wordings_behind_each_rumour(capsys) -> None:
    """`mercato match --explain` on the seed article lists wording ids and the text they matched."""
    from pathlib import Path

    from bot.cli import main

    article = Path(__file__).parent / "data" / "seed-article.txt"
    assert main(["match", "--explain", str(article)]) == 0
    out = capsys.readouterr().out
    assert "Radu Drăgușin: Tottenham -> AC Milan" in out
    assert "talks-meeting: 'meeting'" in out


def test_match_reads_the_same_with_its_cache_cold_warm_or_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mercato match` keeps the catalogue and matcher in MERCATO_CACHE_DIR; what it prints never depends on it."""
    printed = []
    for setting in (str(tmp_path / "cache"), str(tmp_path / "cache"), "off"):
        monkeypatch.setenv("MERCATO_CACHE_DIR", setting)
        assert main(["match", str(SEED), "--json"]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1] == printed[2]
    assert "Drăgușin" in printed[0]
    assert len(list((tmp_path / "cache").glob("reader-*.pickle"))) == 1
