"""Storage: the one database connection and its per-domain stores. All SQL lives in this package."""

from __future__ import annotations

from pathlib import Path

from bot.storage.catalogue import CatalogueStore
from bot.storage.db import BUSY_TIMEOUT_S, Database
from bot.storage.digests import DigestStore
from bot.storage.entities import EntityStore
from bot.storage.feeds import GLOBAL, FeedStore
from bot.storage.follows import FollowStore
from bot.storage.forum import ForumPostStore
from bot.storage.guilds import GuildStore, UserStore
from bot.storage.imports import ImportStore
from bot.storage.ingest import IngestStore
from bot.storage.items import ItemStore
from bot.storage.meta import MetaStore
from bot.storage.moves import MoveStore
from bot.storage.outbox import OutboxStore
from bot.storage.pings import PingStore
from bot.storage.privacy import PrivacyStore
from bot.storage.retention import RetentionStore
from bot.storage.stories import StoryStore
from bot.storage.timeline import TimelineStore

__all__ = ["GLOBAL", "Database", "Storage"]


class Storage:
    """The database and one store per domain, sharing its connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.feeds = FeedStore(db)
        self.items = ItemStore(db)
        self.ingest = IngestStore(db)  # a poll's items, mentions, story reports and feed state, atomically
        self.catalogue = CatalogueStore(db)
        self.entities = EntityStore(db)  # operator-added and provisional players (issue #5)
        self.imports = ImportStore(db)  # `mercato catalogue import`, one transaction per file
        self.moves = MoveStore(db)  # club changes: learnt from the news, the operator's, imported (issue 10)
        self.follows = FollowStore(db)
        self.meta = MetaStore(db)
        self.stories = StoryStore(db)
        self.guilds = GuildStore(db)  # Discord side: server settings
        self.users = UserStore(db)  # Discord side: user DM settings
        self.outbox = OutboxStore(db)
        self.pings = PingStore(db)  # role pings and report evidence (issue 12)
        self.digests = DigestStore(db)  # daily digests, a server's time zone and minimum live stage (issue 12)
        self.forum = ForumPostStore(db)  # story threads: the post of each story in a server's forum (issue 12)
        self.timeline = TimelineStore(db)
        self.privacy = PrivacyStore(db)  # what is stored about a user or a server, and deleting it
        self.retention = RetentionStore(db)

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_S) -> Storage:
        """Open the database at ``path`` (``":memory:"`` for tests) with migrations applied."""
        return cls(await Database.open(path, busy_timeout=busy_timeout))

    async def close(self) -> None:
        """Close the connection."""
        await self.db.close()
