-- Sessions and refresh tokens. Runs with search_path set to the auth schema. Principals live in
-- their directories (user, customer services): principal_id references nothing across schemas.

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  principal_type text NOT NULL CHECK (principal_type IN ('admin', 'shipper', 'customer')),
  principal_id text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoke_reason text,
  user_agent text,
  ip text,
  CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
CREATE INDEX sessions_principal_idx ON sessions (principal_type, principal_id, id);

-- Refresh tokens are stored only as SHA-256 hashes of 32 random bytes; each is used once.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  replaced_by uuid REFERENCES refresh_tokens (id),
  CHECK ((used_at IS NULL) = (replaced_by IS NULL))
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
