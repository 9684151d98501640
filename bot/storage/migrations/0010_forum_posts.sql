-- Reason: story threads (issue 12, part 3). A server's alert channel may be a forum: each story then
-- becomes one forum post (a thread) whose replies are its further reports. The thread of each
-- (server, forum, story) is remembered here, with what a restart needs to never open a second one.

ALTER TABLE guild_settings ADD COLUMN alert_channel_kind TEXT NOT NULL DEFAULT 'text'
    CHECK (alert_channel_kind IN ('text', 'forum'));

-- One row per post Mercato opened (or is opening) in a server's forum: a story's post, or the post of
-- an item that reported no rumour. The row is written *before* Discord is asked to create the post
-- (thread_id NULL); if the process dies before Discord's answer is recorded, the next attempt looks
-- for a post of that title newer than `newest_before` (Discord's newest post in the forum when the
-- first attempt began) before creating one, so a crash never leaves two posts for one story.
CREATE TABLE forum_posts (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    forum_id           INTEGER NOT NULL,
    story_id           INTEGER REFERENCES stories(id) ON DELETE CASCADE,
    item_id            INTEGER REFERENCES items(id) ON DELETE CASCADE,  -- a rumour-less item's own post
    title              TEXT NOT NULL,
    newest_before      INTEGER NOT NULL DEFAULT 0,  -- the forum's newest post id when creation began
    thread_id          INTEGER,                     -- NULL until Discord confirmed the post
    starter_message_id INTEGER,
    starter_item_id    INTEGER NOT NULL,            -- the article the starter message shows
    stage              TEXT,                        -- the stage tag the post carries
    attempted_at       TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK ((story_id IS NULL) <> (item_id IS NULL))
);
-- "Which post carries this story (or item) in this server's forum?" (every forum delivery).
CREATE UNIQUE INDEX forum_posts_story ON forum_posts(guild_id, forum_id, story_id) WHERE story_id IS NOT NULL;
CREATE UNIQUE INDEX forum_posts_item ON forum_posts(guild_id, forum_id, item_id) WHERE item_id IS NOT NULL;
-- "Is this thread already another post's?" (recovering a post after a crash).
CREATE INDEX forum_posts_thread ON forum_posts(thread_id) WHERE thread_id IS NOT NULL;

-- The reports a post already shows (its starter's article, its replies, and those left out after a long
-- outage): a report is replied to at most once. Written after each reply Discord confirmed; a reply
-- confirmed but not yet written here is repeated with the same nonce, which Discord answers with the
-- message it already has.
CREATE TABLE forum_post_items (
    post_id INTEGER NOT NULL REFERENCES forum_posts(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, item_id)
) WITHOUT ROWID;
CREATE INDEX forum_post_items_item ON forum_post_items(item_id);  -- deleting an item (retention)
