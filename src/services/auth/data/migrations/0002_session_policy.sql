-- Session policy (issue 6): device binding and the indexes the session limit and cleanup job use.

-- SHA-256 of the client's device fingerprint (X-Device-Id, else the user agent) and its source;
-- both null when the client sent neither. Only the hash is kept: the raw id is not needed to compare.
ALTER TABLE sessions ADD COLUMN device_hash text;
ALTER TABLE sessions ADD COLUMN device_source text CHECK (device_source IN ('device_id', 'user_agent'));
ALTER TABLE sessions ADD CONSTRAINT sessions_device_pair CHECK ((device_hash IS NULL) = (device_source IS NULL));

-- Live sessions of one principal, oldest first: the session limit evicts from the front.
CREATE INDEX sessions_live_principal_idx ON sessions (principal_type, principal_id, created_at)
  WHERE revoked_at IS NULL;
-- Cleanup job (A8): idle and absolute-age passes, each a bounded batch from the oldest.
CREATE INDEX sessions_last_used_idx ON sessions (last_used_at);
CREATE INDEX sessions_created_idx ON sessions (created_at);
