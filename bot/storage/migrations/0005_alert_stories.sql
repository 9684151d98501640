-- Reason: one alert per story. Remember which alert already covers each story at each stage, so a
-- further report of any story an alert carries edits that alert instead of posting a new one.

CREATE TABLE alert_stories (
    story_key TEXT PRIMARY KEY,     -- "story:<id>:<stage>"
    alert_key TEXT NOT NULL         -- the outbox alert key that carries it
);
CREATE INDEX alert_stories_alert ON alert_stories(alert_key);
