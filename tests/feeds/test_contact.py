"""MERCATO_CONTACT reaches feed owners: it is in the User-Agent of every feed request the bot makes."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import open_app
from bot.config import Settings
from tests.conftest import SEEDS
from tests.feedserver import FeedServer


async def test_the_feed_user_agent_carries_the_operators_contact(tmp_path) -> None:
    """A poll sends "Mercato/… contact: <MERCATO_CONTACT>" to the feed's server."""
    settings = Settings(db_path=tmp_path / "m.sqlite3", seeds_dir=SEEDS, allow_private_feeds=True,
                        contact="mailto:ops@example.org")
    now = datetime(2026, 1, 29, tzinfo=UTC)
    app = await open_app(settings, now=now, add_default_feeds=False)
    try:
        async with FeedServer() as server:
            server.add("/rss", "<rss version='2.0'><channel><title>T</title></channel></rss>")
            await app.storage.feeds.add(server.url("/rss"), now=now)
            await app.ingestor.poll(await app.storage.feeds.all(), now)
            [request] = server.requests_for("/rss")
    finally:
        await app.close()
    agent = request.headers["User-Agent"]
    assert agent.startswith("Mercato/0.1 (+https://") and agent.endswith("; contact: mailto:ops@example.org)")
