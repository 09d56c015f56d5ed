-- One row per job and tick (G7): the unique (job, tick) makes a second replica's claim a no-op.
CREATE TABLE job_runs (
  id uuid PRIMARY KEY,
  job text NOT NULL,
  tick text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  items integer NOT NULL DEFAULT 0,
  error text,
  UNIQUE (job, tick)
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at DESC);
CREATE INDEX job_runs_job_success_idx ON job_runs (job, finished_at DESC) WHERE status = 'succeeded';
