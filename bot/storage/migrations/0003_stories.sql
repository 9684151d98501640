-- Reason: rumour intelligence. A story is one player linked with one club over a time window;
-- every item that reports it adds a report (outlet, tier, stage) to its trail.

CREATE TABLE stories (
    id           INTEGER PRIMARY KEY,
    player_id    TEXT NOT NULL,
    to_club_id   TEXT NOT NULL,
    from_club_id TEXT,
    stage        TEXT NOT NULL,        -- the highest stage reported so far
    deal         TEXT,
    fee          TEXT,
    head_item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,  -- the earliest report
    first_at     TEXT NOT NULL,
    last_at      TEXT NOT NULL
);
-- Finding the open story for a (player, club) pair, and a player's timeline.
CREATE INDEX stories_pair ON stories(player_id, to_club_id, last_at);
-- The shortlist: a club's stories, newest first.
CREATE INDEX stories_club ON stories(to_club_id, last_at);
CREATE INDEX stories_last ON stories(last_at);

CREATE TABLE reports (
    story_id     INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    outlet       TEXT NOT NULL,        -- the publishing outlet (the feed)
    cited        TEXT,                 -- the source the report cites, when it names one
    tier         INTEGER,              -- the cited source's tier when known, else the outlet's
    known_source INTEGER NOT NULL DEFAULT 1,
    stage        TEXT NOT NULL,
    deal         TEXT,
    fee          TEXT,
    negated      INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    published_at TEXT NOT NULL,
    PRIMARY KEY (story_id, item_id)
);
-- Which stories an item reported (alert planning, /latest).
CREATE INDEX reports_item ON reports(item_id);
