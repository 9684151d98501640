-- Reason: operator tooling and names the catalogue lacks (issue #5, items 3 and 4).
-- Operator-added and provisional players live in `entities` with source 'operator', 'provisional' or
-- 'learned' (a promoted provisional player), so seed re-syncs, which replace only source = 'seed' rows,
-- leave them alone. Operator aliases and club moves may concern *seed* entities, whose rows (and
-- aliases, by cascade) are deleted and re-inserted on every re-sync: they are kept in their own tables,
-- without foreign keys, and re-applied after each sync.

CREATE TABLE operator_aliases (
    entity_id TEXT NOT NULL,              -- no foreign key: seed entities are re-inserted on re-sync
    alias     TEXT NOT NULL,
    norm      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('strong', 'place', 'confirm', 'context')),
    added_at  TEXT NOT NULL,
    PRIMARY KEY (entity_id, norm)
);

-- `mercato catalogue move-player`: a transfer happened. Applied over the seeds' club and date.
CREATE TABLE player_moves (
    entity_id TEXT PRIMARY KEY,
    club_id   TEXT NOT NULL,
    as_of     TEXT NOT NULL,
    moved_at  TEXT NOT NULL
);

-- One row per (provisional player, item): which feed reported him, with the club context and cue.
CREATE TABLE provisional_sightings (
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    item_id   INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    feed_id   INTEGER NOT NULL,
    club_id   TEXT,
    evidence  TEXT NOT NULL,
    seen_at   TEXT NOT NULL,
    PRIMARY KEY (entity_id, item_id)
);
-- Promotion counts distinct feeds per player.
CREATE INDEX provisional_sightings_feeds ON provisional_sightings(entity_id, feed_id);
-- Promotion scans only the (few) provisional players.
CREATE INDEX entities_provisional ON entities(id) WHERE provisional = 1;
