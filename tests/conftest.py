"""Shared fixtures: the real catalogue from seeds/, and real SQLite storage in a temp directory."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, Matcher, load_catalogue
from bot.storage import Storage

REPO = Path(__file__).resolve().parent.parent
# `mercato match` keeps its catalogue and matcher in the user's cache folder (bot.catalogue.cache): in-process
# tests keep theirs in a folder of their own, removed at exit.
_CACHE = tempfile.TemporaryDirectory(prefix="mercato-test-cache-")
os.environ.setdefault("MERCATO_CACHE_DIR", _CACHE.name)
SEEDS = REPO / "seeds"
SEED_ARTICLE_PATHS = (REPO / "tests" / "data" / "seed-article.txt", REPO.parent / "shared" / "seed-article.txt")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The catalogue shipped in seeds/ (loaded once per test session)."""
    return load_catalogue(SEEDS)


@pytest.fixture(scope="session")
def matcher(catalogue: Catalogue) -> Matcher:
    """A matcher over the shipped catalogue."""
    return Matcher(catalogue)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A migrated database in a temp file, closed after the test."""
    store = await Storage.open(tmp_path / "test.sqlite3")
    yield store
    await store.close()


@pytest.fixture(scope="session")
def seed_article() -> tuple[str, str]:
    """The seed article as (title, body): its first line is the title, the rest the body."""
    path = next(p for p in SEED_ARTICLE_PATHS if p.is_file())
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title, body


@pytest.fixture(autouse=True)
def _drop_cli_log_handler() -> Iterator[None]:
    """A test that ran `mercato` in-process leaves its stderr handler on the root logger; remove it, since
    that stderr (pytest's capture) is closed after the test and later log records would fail on it."""
    yield
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if type(h).__name__ != "_MercatoHandler"]
