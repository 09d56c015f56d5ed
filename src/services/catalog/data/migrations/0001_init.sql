-- Catalog: categories and products. Runs with search_path set to the catalog schema.

CREATE TABLE categories (
  id uuid PRIMARY KEY,
  slug text NOT NULL,
  name text NOT NULL,
  parent_id uuid REFERENCES categories (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT categories_slug_unique UNIQUE (slug),
  CONSTRAINT categories_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 64),
  CONSTRAINT categories_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);

CREATE INDEX categories_parent_id_idx ON categories (parent_id);

CREATE TABLE products (
  id uuid PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  description text,
  category_id uuid REFERENCES categories (id),
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'active',
  -- Optimistic locking: every update bumps it; a PATCH carrying a stale version changes nothing.
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Search over sku, name and description with the 'simple' configuration (no stemming, no
  -- stop words: product names are not prose); kept by PostgreSQL itself, so it is never stale.
  search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, sku || ' ' || name || ' ' || coalesce(description, ''))
  ) STORED,
  CONSTRAINT products_sku_unique UNIQUE (sku),
  CONSTRAINT products_sku_format CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),
  CONSTRAINT products_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT products_description_length CHECK (description IS NULL OR char_length(description) <= 5000),
  CONSTRAINT products_attributes_object CHECK (jsonb_typeof(attributes) = 'object'),
  CONSTRAINT products_status_valid CHECK (status IN ('active', 'archived')),
  CONSTRAINT products_version_positive CHECK (version >= 1)
);

-- The public list: newest first by id within a category, or over all active products.
CREATE INDEX products_category_id_id_idx ON products (category_id, id);
CREATE INDEX products_status_id_idx ON products (status, id);
CREATE INDEX products_search_vector_idx ON products USING gin (search_vector);
