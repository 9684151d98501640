"""Rendering an outbox row: read its item and story as they are now and build the view (bot.alerts.view)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.alerts.view import build_alert_view, build_story_view, climb_item
from bot.catalogue import Catalogue
from bot.models import Action, AlertKey, AlertView, OutboxRow, TargetKind
from bot.storage import Storage


class Renderer:
    """Turns an outbox row into the view it delivers, reading the item and story as they are now."""

    def __init__(self, storage: Storage, catalogue: Catalogue, *, now: Callable[[], datetime]) -> None:
        self.storage = storage
        self.catalogue = catalogue
        self.now = now

    async def __call__(self, row: OutboxRow) -> AlertView | None:
        """The alert a row delivers, with its "Why?" row id and the roles it pings; None if its item is gone."""
        view = await self._view(row)
        return None if view is None else replace(view, why_id=row.id, ping_roles=await self._pings(row))

    async def _pings(self, row: OutboxRow) -> tuple[int, ...]:
        """The roles planned for this row that the server still pings: an edit never pings, a DM never does.

        Re-checked against the server's rules at send time, so a rule removed while the alert waited
        in the outbox (a channel outage, a rate limit) pings nobody.
        """
        if row.action is not Action.SEND or row.target_kind is not TargetKind.CHANNEL or not row.ping_roles:
            return ()
        configured = {rule.role_id for rule in await self.storage.pings.of_guild(row.guild_id)}
        return tuple(r for r in row.ping_roles if r in configured)

    async def _view(self, row: OutboxRow) -> AlertView | None:
        if row.alert_key.story_id is not None:
            view = await self._story_alert(row.alert_key, row)
            if view is not None:
                return view
        item = await self.storage.items.get(row.item_id)
        if item is None:
            return None
        # An item key means the item reported no rumour: its lines are the clubs it mentions.
        return build_alert_view(item, await self._entity_ids(item.id), self.catalogue)

    async def _story_alert(self, key: AlertKey, row: OutboxRow) -> AlertView | None:
        story = await self.storage.stories.get(key.story_id) if key.story_id is not None else None
        if story is None:
            return None
        # A first post shows the item that triggered it; an edit keeps the article it was posted with.
        article_id = row.item_id if row.action is Action.SEND else climb_item(story, key.stage)
        article = await self.storage.items.get(article_id) or await self.storage.items.get(row.item_id)
        if article is None:
            return None
        article_stories = await self.storage.stories.of_item(article.id)
        return build_story_view(
            article, await self._entity_ids(article.id), story, article_stories, self.catalogue, self.now()
        )

    async def _entity_ids(self, item_id: int) -> list[str]:
        return list(dict.fromkeys(e for e, _ in await self.storage.items.mentions(item_id)))
