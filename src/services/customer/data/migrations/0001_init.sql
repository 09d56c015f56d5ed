-- Customer accounts (issue 6). Runs with search_path set to the customer schema.

CREATE TABLE customers (
  id uuid PRIMARY KEY,
  -- Normalized at the edge; the CHECK keeps a lower-cased unique key even for direct SQL writes.
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  phone text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{1,14}$'),
  status text NOT NULL CHECK (status IN ('pending_verification', 'active', 'suspended', 'deleted')),
  password_hash text NOT NULL,
  email_verified_at timestamptz,
  -- Lockout lives in the database (C2), updated by conditional statements.
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until timestamptz,
  -- Written only by the auth.login consumer (C1).
  last_login_at timestamptz,
  -- Bumped on every role change so tokens with stale roles stop working.
  permissions_version integer NOT NULL DEFAULT 1 CHECK (permissions_version >= 1),
  -- Optimistic lock of the profile (CS-P0-01).
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  registration_source text NOT NULL DEFAULT 'web' CHECK (length(registration_source) BETWEEN 1 AND 32),
  -- GDPR erasure: requested, then anonymized by the cleanup job once erase_after has passed.
  erasure_requested_at timestamptz,
  erase_after timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  CHECK ((erase_after IS NULL) = (erasure_requested_at IS NULL) OR status = 'deleted'),
  CHECK (status <> 'pending_verification' OR email_verified_at IS NULL)
);
CREATE INDEX customers_status_idx ON customers (status, id);
CREATE INDEX customers_erase_due_idx ON customers (erase_after, id) WHERE erase_after IS NOT NULL;

-- Verification and reset tokens: only a SHA-256 of the token is stored; single use, expiring.
CREATE TABLE customer_tokens (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  used_at timestamptz
);
CREATE INDEX customer_tokens_customer_idx ON customer_tokens (customer_id, purpose);
CREATE INDEX customer_tokens_expires_idx ON customer_tokens (expires_at, id);

-- Customer roles/groups in the database, put into tokens by auth (no hard-coded ["customer"]).
CREATE TABLE roles (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,62}$'),
  description text NOT NULL
);
CREATE TABLE role_permissions (
  role text NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
  permission text NOT NULL CHECK (permission ~ '^[a-z][a-z_]*:[a-z][a-z_]*$'),
  PRIMARY KEY (role, permission)
);
CREATE TABLE customer_roles (
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  role text NOT NULL REFERENCES roles (name),
  PRIMARY KEY (customer_id, role)
);
CREATE INDEX customer_roles_role_idx ON customer_roles (role);

INSERT INTO roles (name, description) VALUES
  ('customer', 'Every registered shopper'),
  ('wholesale', 'Business buyer: trade prices and bulk ordering'),
  ('vip', 'Customer with VIP service');
INSERT INTO role_permissions (role, permission) VALUES
  ('wholesale', 'orders:bulk'),
  ('wholesale', 'pricing:trade');

CREATE TABLE addresses (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  label text CHECK (label IS NULL OR length(label) BETWEEN 1 AND 50),
  first_name text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  line1 text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
  line2 text CHECK (line2 IS NULL OR length(line2) BETWEEN 1 AND 200),
  city text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  region text CHECK (region IS NULL OR length(region) BETWEEN 1 AND 100),
  postal_code text NOT NULL CHECK (length(postal_code) BETWEEN 1 AND 16),
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  phone text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{1,14}$'),
  is_default boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX addresses_customer_idx ON addresses (customer_id, id);
CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (customer_id) WHERE is_default;

-- Preferences and consents: append-only versions with who/when; the current view is the newest
-- row (CS-P1-03).
CREATE TABLE preference_versions (
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  preferences jsonb NOT NULL,
  consents jsonb NOT NULL,
  changed_by text NOT NULL CHECK (length(changed_by) BETWEEN 1 AND 100),
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (customer_id, version)
);

-- Security audit log (logins, failures, lockouts, password and status changes, erasure). No PII
-- beyond the customer id; purged after CUSTOMER_AUDIT_RETENTION_DAYS.
CREATE TABLE audit_log (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL,
  event text NOT NULL CHECK (event IN (
    'registered', 'email_verified', 'login', 'login_failed', 'locked', 'password_reset_requested',
    'password_reset', 'password_changed', 'status_changed', 'roles_changed', 'erasure_requested',
    'erasure_cancelled', 'erased')),
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  detail jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL
);
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, occurred_at);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at, id);
