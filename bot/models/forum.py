"""Story threads: the forum post that carries a story (or a rumour-less item) in one server's forum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PostSubject:
    """What a forum post is about: a story, or (for an item that reported no rumour) the item itself."""

    story_id: int | None = None
    item_id: int | None = None

    def __post_init__(self) -> None:
        if (self.story_id is None) == (self.item_id is None):
            raise ValueError("a post is about exactly one story or one item")


@dataclass(frozen=True, slots=True)
class ForumPost:
    """A post Mercato opened, or began opening, in a server's forum.

    ``thread_id`` is None while Discord has not confirmed the post: a process that died during the
    request left it so, and the next attempt looks for a post titled ``title`` newer than
    ``newest_before`` before it creates one. In a forum the starter message's id is the thread's.
    """

    id: int
    guild_id: int
    forum_id: int
    subject: PostSubject
    title: str
    newest_before: int
    thread_id: int | None
    starter_message_id: int | None
    starter_item_id: int
    stage: str | None  # the stage tag the post carries (pretty name), None for an item's post
    attempted_at: datetime
