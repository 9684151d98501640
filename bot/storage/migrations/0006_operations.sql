-- Reason: running for a season (issue 11). A server's data is deleted a grace period after the bot
-- leaves it (re-adding the bot cancels that); retention deletes old items, remembering their keys for a
-- while so that a feed still carrying one cannot bring it back as news.

CREATE TABLE guild_departures (
    guild_id     INTEGER PRIMARY KEY,
    left_at      TEXT NOT NULL,
    delete_after TEXT NOT NULL
);

-- The dedupe keys of pruned items (items.dedupe_key), forgotten themselves one retention period later.
CREATE TABLE pruned_items (
    dedupe_key TEXT PRIMARY KEY,
    pruned_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX pruned_items_at ON pruned_items(pruned_at);

-- Retention finds old items by when they were stored.
CREATE INDEX items_fetched ON items(fetched_at);
