-- Idempotency keys on HTTP writes (Stripe semantics, 01-platform.md "Security"; G2).
-- The first request inserts the row `in_progress` (the insert is the lock); its response is
-- stored when it completes and replayed for the same key and body.
CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  -- sha256 of the canonical request body: the same key with another body is refused (422).
  request_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
  response_status integer CHECK (response_status BETWEEN 100 AND 599),
  response_body jsonb,
  -- What the request created (e.g. the checkout / order id), for recovery of a crashed request.
  resource_id text,
  -- Fencing token of the current holder: a request whose lease was taken over cannot complete.
  lock_id uuid NOT NULL,
  locked_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key),
  CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255),
  CONSTRAINT idempotency_keys_completed_has_response CHECK (
    status <> 'completed' OR (response_status IS NOT NULL AND response_body IS NOT NULL)
  )
);
-- Purge job: expired keys in bounded batches.
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
