-- Inbox (G4): the primary key is the lock that makes two deliveries of one event apply once.
CREATE TABLE processed_events (
  subscription text NOT NULL,
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription, event_id)
);
CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at);

-- Failures of deliveries still being retried: attempts and first failure survive redeliveries.
CREATE TABLE consumer_failures (
  subscription text NOT NULL,
  event_id text NOT NULL,
  attempts integer NOT NULL CHECK (attempts > 0),
  first_failed_at timestamptz NOT NULL,
  last_failed_at timestamptz NOT NULL,
  last_error text NOT NULL,
  PRIMARY KEY (subscription, event_id)
);

-- Dead letters (G5): stored with the error, replayable through the inbox, never acked and forgotten.
CREATE TABLE dead_letters (
  id uuid PRIMARY KEY,
  subscription text NOT NULL,
  event_id text NOT NULL,
  topic text NOT NULL,
  envelope jsonb NOT NULL,
  error text NOT NULL,
  stack text,
  attempts integer NOT NULL CHECK (attempts > 0),
  first_failed_at timestamptz NOT NULL,
  last_failed_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription, event_id)
);
CREATE INDEX dead_letters_open_idx ON dead_letters (created_at) WHERE status = 'open';
