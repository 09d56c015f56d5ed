-- Shipping: the options carts are offered and how each is priced (rate part). Shipments come in
-- a later migration. Runs with search_path set to the shipping schema.

CREATE TABLE shipping_options (
  id text PRIMARY KEY,
  name text NOT NULL,
  carrier text NOT NULL,
  -- flat: base_amount per parcel; weight: base_amount + per_kg_amount per started kilogram.
  kind text NOT NULL,
  base_amount bigint NOT NULL,
  per_kg_amount bigint NOT NULL DEFAULT 0,
  currency text NOT NULL,
  -- Free when the goods are worth at least this much (in the option's currency); null: never free.
  free_over_amount bigint,
  -- ISO 3166-1 alpha-2 codes, or '*' for everywhere.
  countries text[] NOT NULL,
  max_weight_grams integer,
  min_days integer NOT NULL,
  max_days integer NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shipping_options_id_format CHECK (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(id) <= 64),
  CONSTRAINT shipping_options_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  CONSTRAINT shipping_options_carrier_valid CHECK (carrier IN ('simcarrier', 'manual')),
  CONSTRAINT shipping_options_kind_valid CHECK (kind IN ('flat', 'weight')),
  CONSTRAINT shipping_options_amounts CHECK (base_amount >= 0 AND per_kg_amount >= 0
    AND (free_over_amount IS NULL OR free_over_amount >= 0)),
  CONSTRAINT shipping_options_flat_has_no_per_kg CHECK (kind = 'weight' OR per_kg_amount = 0),
  CONSTRAINT shipping_options_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT shipping_options_countries_present CHECK (cardinality(countries) >= 1),
  CONSTRAINT shipping_options_max_weight_positive CHECK (max_weight_grams IS NULL OR max_weight_grams > 0),
  CONSTRAINT shipping_options_days CHECK (min_days >= 0 AND max_days >= min_days)
);

CREATE INDEX shipping_options_active_idx ON shipping_options (active, id);

-- The options the store ships with (configuration, editable like any other row).
INSERT INTO shipping_options
  (id, name, carrier, kind, base_amount, per_kg_amount, currency, free_over_amount, countries, max_weight_grams, min_days, max_days)
VALUES
  ('simcarrier-standard', 'Standard', 'simcarrier', 'flat', 499, 0, 'USD', 5000, ARRAY['*'], 30000, 3, 7),
  ('simcarrier-express', 'Express', 'simcarrier', 'weight', 999, 200, 'USD', NULL, ARRAY['US', 'CA'], 30000, 1, 2),
  ('simcarrier-international', 'International', 'simcarrier', 'weight', 1999, 500, 'USD', NULL,
   ARRAY['GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'AU', 'JP'], 20000, 5, 12),
  ('manual-pickup', 'Store pickup', 'manual', 'flat', 0, 0, 'USD', NULL, ARRAY['US'], NULL, 0, 1);
