-- Reason: the Discord side's state: per-server settings, per-user DM settings, and the outbox of
-- pending deliveries that makes "nothing lost, nothing twice" true across restarts.

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    alert_channel_id    INTEGER,            -- NULL: no channel alerts in this server
    tier_floor          INTEGER NOT NULL DEFAULT 5 CHECK (tier_floor BETWEEN 0 AND 5),
    deadline_lead_hours INTEGER,            -- NULL: the operator's default (MERCATO_DEADLINE_LEAD_HOURS)
    channel_failure     TEXT,               -- why deliveries to the alert channel stopped (403/404)
    channel_failed_at   TEXT,
    failure_notified    INTEGER NOT NULL DEFAULT 0,  -- 1 once the server was told about the failure
    updated_at          TEXT NOT NULL
);

CREATE TABLE user_settings (
    user_id          INTEGER PRIMARY KEY,
    dm_mode          TEXT NOT NULL DEFAULT 'deadline' CHECK (dm_mode IN ('deadline', 'always', 'off')),
    dm_undeliverable INTEGER NOT NULL DEFAULT 0,  -- 1 after Discord refused a DM (50007), until the next command
    dm_error         TEXT,
    updated_at       TEXT NOT NULL
);

-- One row per (alert, target). A channel target is a server (target_id = guild id, so a server gets
-- one message per alert whichever channel it uses); a DM target is a user (one DM per alert even
-- when the user follows it in several servers). The UNIQUE constraint is what makes a duplicate
-- delivery impossible: planning the same alert again updates the row instead of adding one.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    alert_key       TEXT NOT NULL,          -- "item:<id>" (later "story:<id>:<stage>")
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('channel', 'dm')),
    target_id       INTEGER NOT NULL,
    guild_id        INTEGER NOT NULL,       -- the server whose follows (and settings) caused the delivery
    channel_id      INTEGER,                -- where the message went (set on send; DM channel for DMs)
    item_id         INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,  -- the newest item to show
    action          TEXT NOT NULL DEFAULT 'send' CHECK (action IN ('send', 'edit')),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    message_id      INTEGER,                -- Discord's id, set only once Discord confirmed the message
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (alert_key, target_kind, target_id)
);
-- The delivery loop asks "which pending rows are due"; sent and dropped rows stay out of the index.
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
-- Dropping a server's pending channel rows, and /status's queue size.
CREATE INDEX outbox_guild ON outbox(guild_id, status);
