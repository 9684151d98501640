-- Reason: the first schema: feeds and their fetch state, items, the catalogue, mentions, follows.
-- Times are ISO-8601 UTC text ("2026-01-29T10:00:00+00:00"), which sorts correctly as text.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    title           TEXT,
    etag            TEXT,
    last_modified   TEXT,
    body_hash       TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_polled_at  TEXT,
    last_success_at TEXT,
    next_due_at     TEXT NOT NULL,
    paused          INTEGER NOT NULL DEFAULT 0,
    primed          INTEGER NOT NULL DEFAULT 0,  -- 1 once the first successful poll stored its items
    added_at        TEXT NOT NULL
);
-- The poll tick asks "which feeds are due"; paused feeds are never due.
CREATE INDEX feeds_due ON feeds(paused, next_due_at);

-- Who reads a feed: guild_id 0 is the operator's global list, any other id one server's extra feed.
CREATE TABLE feed_guilds (
    feed_id  INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    added_by INTEGER,
    added_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, feed_id)
);
CREATE INDEX feed_guilds_feed ON feed_guilds(feed_id);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    feed_id      INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    uid          TEXT NOT NULL,        -- stable id within the feed (guid, canonical link or hash)
    dedupe_key   TEXT NOT NULL UNIQUE, -- the canonical link when there is one: the same article in two feeds is one item
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    link         TEXT,
    author       TEXT,
    published_at TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    alertable    INTEGER NOT NULL,     -- 0: stored on a feed's first poll, or older than the cut-off
    UNIQUE (feed_id, uid)
);
-- /latest and the shortlist read the newest items first.
CREATE INDEX items_published ON items(published_at);

CREATE TABLE entities (
    id          TEXT PRIMARY KEY,      -- "player:<slug>" or "club:<slug>"
    kind        TEXT NOT NULL CHECK (kind IN ('player', 'club')),
    name        TEXT NOT NULL,
    club_id     TEXT,
    country     TEXT,
    league      TEXT,
    position    TEXT,
    as_of       TEXT,
    provisional INTEGER NOT NULL DEFAULT 0,
    source      TEXT NOT NULL DEFAULT 'seed'   -- 'seed' rows are replaced when the seed files change
);
CREATE INDEX entities_club ON entities(club_id);

CREATE TABLE aliases (
    entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    norm      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('strong', 'place', 'confirm', 'context')),
    PRIMARY KEY (entity_id, norm)
);
CREATE INDEX aliases_norm ON aliases(norm);

-- Which entities an item mentions, and the spans as written.
CREATE TABLE mentions (
    item_id   INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL,
    matched   TEXT NOT NULL,
    PRIMARY KEY (item_id, entity_id, matched)
);
-- "Which items mention this entity" (shortlist, rumours, latest) and routing's join.
CREATE INDEX mentions_entity ON mentions(entity_id, item_id);

CREATE TABLE follows (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    entity_id  TEXT,                  -- a catalogue entity ...
    term       TEXT,                  -- ... or free text that matched nothing, as typed
    term_norm  TEXT,                  -- folded term, matched against folded item text
    created_at TEXT NOT NULL,
    CHECK ((entity_id IS NULL) <> (term_norm IS NULL))
);
CREATE UNIQUE INDEX follows_unique ON follows(guild_id, user_id, COALESCE(entity_id, ''), COALESCE(term_norm, ''));
-- Routing: "who follows any of these entities" is a covering-index lookup.
CREATE INDEX follows_entity ON follows(entity_id, guild_id, user_id) WHERE entity_id IS NOT NULL;
CREATE INDEX follows_term ON follows(term_norm, guild_id, user_id) WHERE term_norm IS NOT NULL;
