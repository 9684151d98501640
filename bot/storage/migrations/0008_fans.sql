-- Reason: what fans come to a transfer server for (issue 12, parts 1, 5 and 6).
-- Role pings: a server's admins ping a role when an alert passes a filter (club, player, lowest stage,
-- least reliable tier). Per-follow filters: a fan's follow only DMs them from a stage and up to a tier.
-- The outbox row remembers which roles its first message pings (decided when the alert was planned),
-- and each report keeps the wordings and spans that made its rumour, for the "Why?" button.

CREATE TABLE alert_pings (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    role_id    INTEGER NOT NULL,
    club_id    TEXT,                -- a catalogue club; NULL: any club
    player_id  TEXT,                -- a catalogue player; NULL: any player
    min_stage  TEXT,                -- the lowest stage that pings; NULL: any stage
    max_tier   INTEGER CHECK (max_tier BETWEEN 0 AND 5),  -- the least reliable tier that pings; NULL: any
    created_at TEXT NOT NULL
);
-- One rule per (server, role, filter): adding the same rule twice changes nothing.
CREATE UNIQUE INDEX alert_pings_unique ON alert_pings(
    guild_id, role_id, COALESCE(club_id, ''), COALESCE(player_id, ''), COALESCE(min_stage, ''), COALESCE(max_tier, -1)
);
-- Routing: "which servers ping a role for something this item mentions".
CREATE INDEX alert_pings_club ON alert_pings(club_id, guild_id) WHERE club_id IS NOT NULL;
CREATE INDEX alert_pings_player ON alert_pings(player_id, guild_id) WHERE player_id IS NOT NULL;

-- A follow's filter (NULL: no filter): it governs that fan's DMs only, never the server's channel.
ALTER TABLE follows ADD COLUMN min_stage TEXT;
ALTER TABLE follows ADD COLUMN max_tier INTEGER CHECK (max_tier BETWEEN 0 AND 5);

-- JSON list of role ids the row's first message mentions (channel rows only; an edit never pings).
ALTER TABLE outbox ADD COLUMN ping_roles TEXT NOT NULL DEFAULT '[]';

-- JSON list of {"wording", "start", "end", "text"}: what the language layer read to make this report's rumour.
ALTER TABLE reports ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
