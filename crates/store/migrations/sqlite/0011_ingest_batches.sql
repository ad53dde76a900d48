-- Ingest writes whole batches: new events are inserted many rows per statement and told apart
-- by the dedup key of the post that started them, which is also how their representative post
-- is found. Most posts match no scheme, so the post-to-event index leaves them out. Replaying
-- recent events after a restart looks events up by when they were last seen.
ALTER TABLE opinion_events ADD COLUMN origin_key TEXT;
CREATE INDEX opinion_events_seen ON opinion_events(last_seen);
DROP INDEX opinion_posts_event;
CREATE INDEX opinion_posts_event ON opinion_posts(event_id, published_at) WHERE event_id IS NOT NULL;
