-- Saga step log: which steps of a multi-service operation ran, so a crash resumes or compensates.
CREATE TABLE saga_steps (
  saga_type text NOT NULL,
  saga_id text NOT NULL,
  step text NOT NULL,
  status text NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'compensated', 'compensation_failed')),
  idempotency_key text NOT NULL,
  result jsonb,
  error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (saga_type, saga_id, step)
);

-- Compensations that failed (G5): retried by a job with backoff, alerted when exhausted.
CREATE TABLE failed_compensations (
  id uuid PRIMARY KEY,
  saga_type text NOT NULL,
  saga_id text NOT NULL,
  step text NOT NULL,
  action text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved', 'exhausted')),
  attempts integer NOT NULL DEFAULT 1 CHECK (attempts > 0),
  next_attempt_at timestamptz NOT NULL,
  last_error text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  UNIQUE (saga_type, saga_id, step, action)
);
CREATE INDEX failed_compensations_due_idx ON failed_compensations (next_attempt_at) WHERE status = 'pending';
