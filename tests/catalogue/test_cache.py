"""The reader cache (bot.catalogue.cache): what `mercato match` reads with is the same, cached or built."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

import bot.catalogue.cache as cache
from bot.catalogue import Matcher, load_catalogue
from bot.catalogue.cache import load_reader
from tests.conftest import SEEDS

ARTICLE = ("Arsenal eye Drăgușin", "Tottenham defender Radu Drăgușin is wanted by AC Milan, not Inter Milan.")


def _read(matcher: Matcher) -> list[tuple[str, int, int]]:
    return [(m.entity_id, m.start, m.end) for m in matcher.match_item(*ARTICLE).mentions]


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("reader-*.pickle"))


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seeds_dir: Path) -> None:
        raise AssertionError("built, not read from the cache")

    monkeypatch.setattr(cache, "load_catalogue", refuse)


def test_a_second_run_reads_the_same_catalogue_and_matcher_from_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = Matcher(load_catalogue(SEEDS))
    catalogue, matcher = load_reader(SEEDS, tmp_path / "cache")
    assert _read(matcher) == _read(built)
    [stored] = _files(tmp_path / "cache")
    assert stored.stat().st_mode & 0o777 == 0o600 and (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    _no_build(monkeypatch)
    again, matcher = load_reader(SEEDS, tmp_path / "cache")
    assert _read(matcher) == _read(built)
    assert again.entities.keys() == catalogue.entities.keys()
    assert matcher.catalogue is again  # the matcher reads the catalogue it came with


def test_a_changed_seed_file_is_another_cache_and_the_old_one_goes(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    load_reader(seeds, tmp_path / "cache")
    [first] = _files(tmp_path / "cache")
    people = seeds / "people.toml"
    people.write_text(people.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # any byte counts
    load_reader(seeds, tmp_path / "cache")
    [second] = _files(tmp_path / "cache")
    assert second != first and not first.exists()


def test_a_damaged_file_is_built_again(tmp_path: Path) -> None:
    load_reader(SEEDS, tmp_path)
    [stored] = _files(tmp_path)
    stored.write_bytes(stored.read_bytes()[:1000])
    _catalogue, matcher = load_reader(SEEDS, tmp_path)
    assert _read(matcher) == _read(Matcher(load_catalogue(SEEDS)))
    assert stored.stat().st_size > 1000  # written whole again


def test_a_file_others_may_write_is_never_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    load_reader(SEEDS, tmp_path)
    [stored] = _files(tmp_path)
    os.chmod(stored, 0o666)
    loaded = []
    monkeypatch.setattr(cache.pickle, "load", lambda file: loaded.append(file))
    with caplog.at_level(logging.WARNING):
        load_reader(SEEDS, tmp_path)
    assert loaded == []
    assert "is not a private file of this user" in caplog.text


def test_a_folder_that_cannot_be_written_costs_only_the_build(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    _catalogue, matcher = load_reader(SEEDS, blocked / "cache")
    assert _read(matcher) == _read(Matcher(load_catalogue(SEEDS)))
    _catalogue, matcher = load_reader(SEEDS, None)  # MERCATO_CACHE_DIR=off
    assert _read(matcher) == _read(Matcher(load_catalogue(SEEDS)))
