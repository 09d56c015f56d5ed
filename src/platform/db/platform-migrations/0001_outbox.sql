-- Transactional outbox (G3): rows are written in the business transaction and published by the relay.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  -- Insertion order; with the aggregate row locked by the writer it is commit order per key.
  position bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  topic text NOT NULL,
  key text NOT NULL,
  envelope jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Lease of the relay that claimed the row; an expired lease means the relay died mid-way.
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (position) WHERE status = 'pending';
CREATE INDEX outbox_key_unpublished_idx ON outbox (key, position) WHERE status <> 'published';
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE status = 'published';
