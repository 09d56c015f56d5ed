-- Backfills (SG-26; docs/analytics.md "Backfill"): a window of the source services' published
-- events re-ingested through the same inbox path as the bus, so it never counts an event twice.
-- The `backfill` job works through queued and running requests page by page and stores each
-- source's cursor in the page's transaction: after a restart it resumes where it stopped.
CREATE TABLE backfills (
  id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL,
  topics jsonb NOT NULL CHECK (jsonb_typeof(topics) = 'array'),
  requested_by text NOT NULL,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  CONSTRAINT backfills_window CHECK (window_from < window_to)
);
CREATE INDEX backfills_open_idx ON backfills (created_at) WHERE status IN ('queued', 'running');

-- One row per source service of a backfill: its topics, cursor and counters.
CREATE TABLE backfill_sources (
  backfill_id uuid NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
  source text NOT NULL,
  topics jsonb NOT NULL CHECK (jsonb_typeof(topics) = 'array'),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  cursor text,
  events_read integer NOT NULL DEFAULT 0 CHECK (events_read >= 0),
  ingested integer NOT NULL DEFAULT 0 CHECK (ingested >= 0),
  duplicates integer NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
  invalid integer NOT NULL DEFAULT 0 CHECK (invalid >= 0),
  error text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (backfill_id, source)
);
