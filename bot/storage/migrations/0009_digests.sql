-- Reason: issue 12, digests. A server can get a daily digest of the top stories by heat in a channel,
-- and each member one by DM, at a local time in the server's time zone; a server can keep live
-- alerts for the later stages only (min_stage), the earlier ones reaching its digest.
-- A digest is delivered through the outbox (alert key "digest:<guild id>:<local day>"), so the
-- outbox's unique key makes a second digest of the same day impossible.

ALTER TABLE guild_settings ADD COLUMN timezone TEXT;   -- IANA name (Europe/Rome); NULL: UTC
ALTER TABLE guild_settings ADD COLUMN min_stage TEXT;  -- NULL: every stage is alerted live

CREATE TABLE digests (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,    -- 0: the server's digest, posted in channel_id; else that member's, by DM
    channel_id INTEGER,
    local_time TEXT NOT NULL,       -- HH:MM on the server's clock
    next_at    TEXT NOT NULL,       -- UTC: when the next one is due
    failure    TEXT,                -- why Discord refused the channel (403/404): stopped until set again
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id),
    CHECK ((user_id = 0) = (channel_id IS NOT NULL))
);
-- The digest job asks "which digests are due" every minute.
CREATE INDEX digests_due ON digests(next_at) WHERE failure IS NULL;
