-- Reason: a catalogue that stays current (issue 10). Every club change of a player is logged with its
-- evidence: moves learnt from the news (a story that completed per seeds/moves.toml), the operator's
-- `move-player`, and open-data imports. In review mode a learnt move waits in the same log as
-- 'pending' until an operator approves or rejects it; an applied move can be undone.
-- `player_moves` stays the current override per player (re-applied after every seed re-sync); it
-- gains the parent club of a loan, and a NULL club for a player who left for a club the catalogue
-- does not hold (an import found him elsewhere).

CREATE TABLE player_moves_new (
    entity_id TEXT PRIMARY KEY,
    club_id   TEXT,                -- NULL: left for a club outside the catalogue
    loan_from TEXT,                -- on loan: the parent club (club_id is the loan club)
    as_of     TEXT NOT NULL,
    moved_at  TEXT NOT NULL
);
INSERT INTO player_moves_new (entity_id, club_id, as_of, moved_at)
SELECT entity_id, club_id, as_of, moved_at FROM player_moves;
DROP TABLE player_moves;
ALTER TABLE player_moves_new RENAME TO player_moves;

CREATE TABLE move_log (
    id             INTEGER PRIMARY KEY,
    player_id      TEXT NOT NULL,    -- no foreign key: seed entities are re-inserted on re-sync
    to_club_id     TEXT,             -- NULL: left for a club outside the catalogue (imports)
    loan_from      TEXT,             -- a loan's parent club
    deal           TEXT,
    effective      TEXT NOT NULL,    -- ISO date the move took effect (the deciding report's day)
    status         TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'rejected', 'undone')),
    origin         TEXT NOT NULL CHECK (origin IN ('news', 'operator', 'import')),
    rule           TEXT,             -- news: the seeds/moves.toml rule that fired
    story_id       INTEGER,          -- news: the story that completed
    outlets        TEXT NOT NULL DEFAULT '[]',  -- news: JSON list of the independent sources it rests on
    note           TEXT,             -- the deciding headline, or the imported file
    prev_club_id   TEXT,             -- set when applied: what `undo` restores
    prev_loan_from TEXT,
    prev_as_of     TEXT,
    prev_override  INTEGER NOT NULL DEFAULT 0,  -- 1 if player_moves already overrode the seeds then
    created_at     TEXT NOT NULL,
    decided_at     TEXT
);
-- One move per story: later reports of a story already decided (applied, queued or rejected) add nothing.
CREATE UNIQUE INDEX move_log_story ON move_log(story_id) WHERE story_id IS NOT NULL;
-- `catalogue player NAME`: one player's history in order.
CREATE INDEX move_log_player ON move_log(player_id, id);
-- `catalogue moves --pending`.
CREATE INDEX move_log_pending ON move_log(id) WHERE status = 'pending';
