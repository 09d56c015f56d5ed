-- Staff directory: accounts, roles and permissions. Runs with search_path set to the user schema.

CREATE TABLE staff_users (
  id uuid PRIMARY KEY,
  -- Normalized at the edge; the CHECK keeps a lower-cased unique key even for direct SQL writes.
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  type text NOT NULL CHECK (type IN ('admin', 'shipper')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
  password_hash text NOT NULL,
  -- Lockout lives in the database, not in a cache (C2), updated by conditional statements.
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until timestamptz,
  -- Bumped atomically on every role/permission change and compared on token validation (U3).
  permissions_version integer NOT NULL DEFAULT 1 CHECK (permissions_version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);

CREATE TABLE roles (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,62}$'),
  description text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE role_permissions (
  role text NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
  -- `area:verb`, `area:*` or `*`.
  permission text NOT NULL CHECK (permission = '*' OR permission ~ '^[a-z][a-z_]*:([a-z][a-z_]*|\*)$'),
  PRIMARY KEY (role, permission)
);

CREATE TABLE user_roles (
  user_id uuid NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  role text NOT NULL REFERENCES roles (name),
  PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role_idx ON user_roles (role);

INSERT INTO roles (name, description) VALUES
  ('admin', 'Full access to every administrative function'),
  ('shipper', 'Works the fulfillment queue and updates shipments'),
  ('catalog_manager', 'Creates and edits products and categories'),
  ('support', 'Reads customers and orders to answer support requests');

INSERT INTO role_permissions (role, permission) VALUES
  ('admin', '*'),
  ('shipper', 'fulfillment:read'),
  ('shipper', 'fulfillment:write'),
  ('shipper', 'shipping:write'),
  ('catalog_manager', 'catalog:write'),
  ('support', 'customers:read'),
  ('support', 'orders:read');
