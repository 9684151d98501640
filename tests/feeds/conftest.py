"""Fixtures for the feed layer's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.catalogue import Catalogue, Matcher
from bot.feeds.fetch import FeedFetcher
from bot.ingest import Ingestor, PollPolicy
from bot.storage import Storage
from tests.feedserver import FeedServer


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A running FeedServer on 127.0.0.1."""
    async with FeedServer() as server:
        yield server


@pytest.fixture
async def fetcher() -> AsyncIterator[FeedFetcher]:
    """A fetcher allowed to reach 127.0.0.1 (the test server), with a short timeout."""
    async with FeedFetcher(allow_private=True, total_timeout=5.0) as f:
        yield f


@pytest.fixture
async def guarded_fetcher() -> AsyncIterator[FeedFetcher]:
    """A fetcher with the SSRF guard on, as in production."""
    async with FeedFetcher(allow_private=False, total_timeout=5.0) as f:
        yield f


@pytest.fixture
async def ingestor(storage: Storage, catalogue: Catalogue, matcher: Matcher) -> AsyncIterator[Ingestor]:
    """A poll cycle over real SQLite with a fetcher allowed to reach 127.0.0.1 (connect timeout 0.3 s)."""
    await storage.catalogue.sync(catalogue)
    async with FeedFetcher(allow_private=True, connect_timeout=0.3, total_timeout=5.0) as f:
        yield Ingestor(storage, f, matcher, PollPolicy())
