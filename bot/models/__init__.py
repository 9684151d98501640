"""Every domain value type: frozen dataclasses and enums, no I/O.

Storage, the language layer, the story engine and the alert pipeline all import from here; this
package imports nothing else from ``bot`` (``tests/test_layers.py`` enforces the direction).
"""

from bot.models.alerts import (
    Action,
    AlertView,
    Delivery,
    EnqueueResult,
    IngestedItem,
    OutboxRow,
    Status,
    TargetKind,
)
from bot.models.catalogue import Alias, AliasKind, Entity, EntityKind, MatchResult, Mention, Sighting
from bot.models.digests import SERVER, DigestEntry, DigestSubscription, DigestView
from bot.models.feeds import Feed, FeedItem, NewItem, ParsedFeed, StoredItem
from bot.models.follows import (
    DEFAULT_TIER_FLOOR,
    ChannelKind,
    DmMode,
    Follow,
    Followers,
    FollowFilter,
    FollowHit,
    GuildSettings,
    PingRule,
    UserSettings,
)
from bot.models.forum import ForumPost, PostSubject
from bot.models.rumours import Deal, Evidence, Rumour, Stage, highest_stage
from bot.models.sources import DEFAULT_TIER, Source, SourceKind
from bot.models.stories import (
    AlertKey,
    ItemRumours,
    NewReport,
    Report,
    ReportedRumour,
    Story,
    StoryDecision,
    StoryUpdate,
)

__all__ = [
    "DEFAULT_TIER",
    "DEFAULT_TIER_FLOOR",
    "SERVER",
    "Action",
    "AlertKey",
    "AlertView",
    "Alias",
    "AliasKind",
    "ChannelKind",
    "Deal",
    "Delivery",
    "DigestEntry",
    "DigestSubscription",
    "DigestView",
    "DmMode",
    "EnqueueResult",
    "Entity",
    "EntityKind",
    "Evidence",
    "Feed",
    "FeedItem",
    "Follow",
    "FollowFilter",
    "FollowHit",
    "Followers",
    "ForumPost",
    "GuildSettings",
    "IngestedItem",
    "ItemRumours",
    "MatchResult",
    "Mention",
    "NewItem",
    "NewReport",
    "OutboxRow",
    "ParsedFeed",
    "PingRule",
    "PostSubject",
    "Report",
    "ReportedRumour",
    "Rumour",
    "Sighting",
    "Source",
    "SourceKind",
    "Stage",
    "Status",
    "StoredItem",
    "Story",
    "StoryDecision",
    "StoryUpdate",
    "TargetKind",
    "UserSettings",
    "highest_stage",
]
