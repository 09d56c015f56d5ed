-- Event history (outbox.history.ts): published rows read back by creation time in keyset pages
-- of (created_at, id), e.g. by the analytics backfill. Published rows are kept for
-- OUTBOX_RETENTION_HOURS, then purged by the relay: that is as far back as history reaches.
CREATE INDEX outbox_history_idx ON outbox (created_at, id) WHERE status = 'published';
