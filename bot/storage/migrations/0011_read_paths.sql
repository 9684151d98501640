-- Reason: the read commands and routing at 100,000 items (issue 8, part 5). "The newest items about X" (/latest X,
-- /following, /rumours without stories) walks X's mentions newest first in an index and stops at the
-- limit, instead of sorting every item that ever mentioned X. Each mention carries its item's
-- publication time (items never change once stored); the trigger fills it whoever inserts the
-- mention (ingest, provisional sightings), so no writer has to know.

ALTER TABLE mentions ADD COLUMN published_at TEXT;
UPDATE mentions SET published_at = (SELECT i.published_at FROM items i WHERE i.id = mentions.item_id);
CREATE TRIGGER mentions_published AFTER INSERT ON mentions WHEN NEW.published_at IS NULL
BEGIN
    UPDATE mentions SET published_at = (SELECT i.published_at FROM items i WHERE i.id = NEW.item_id)
    WHERE rowid = NEW.rowid;
END;
CREATE INDEX mentions_entity_published ON mentions(entity_id, published_at, item_id);

-- Routing reads an item's entity follows with their DM filter (migration 0009) from the index alone,
-- grouped by entity and filter in index order: ten thousand follows of a big club without a table read.
DROP INDEX follows_entity;
CREATE INDEX follows_entity ON follows(entity_id, min_stage, max_tier, guild_id, user_id) WHERE entity_id IS NOT NULL;
