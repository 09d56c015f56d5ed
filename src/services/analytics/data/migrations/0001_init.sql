-- Analytics (04-services.md "analytics"; docs/analytics.md). Nothing here holds raw PII (G10,
-- seed 003 SG-1..SG-4): customer ids, emails and user agents are stored only as keyed hashes,
-- IPs truncated, names reduced to an initial — done by domain/pii.ts before any row is built.

-- Raw events, bus and storefront alike, with the whole envelope (SG-8, SG-9, Fix 9). Monthly
-- range partitions are created ahead and dropped after the retention period by the retention job
-- (SG-24, Fix 19); the default partition catches anything outside them. Dedup is the inbox's
-- `processed_events` (one row per event id), so no unique key on `id` alone is needed here.
CREATE TABLE events (
  id text NOT NULL,
  topic text NOT NULL,
  source text NOT NULL,
  subject text,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  trace_id text,
  schema_version text NOT NULL,
  session_id text,
  customer_key text,
  order_id uuid,
  product_id text,
  ip_masked text,
  user_agent_hash text,
  data jsonb NOT NULL,
  PRIMARY KEY (occurred_at, id),
  CONSTRAINT events_trace_id_format CHECK (trace_id IS NULL OR trace_id ~ '^[0-9a-f]{32}$')
) PARTITION BY RANGE (occurred_at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_topic_time_idx ON events (topic, occurred_at);
CREATE INDEX events_session_idx ON events (session_id, occurred_at) WHERE session_id IS NOT NULL;
CREATE INDEX events_customer_idx ON events (customer_key) WHERE customer_key IS NOT NULL;

-- Facts per order: the newest state by the order's sequence (G6, SG-16). An older event never
-- overwrites a newer one; placed_at is the earliest time seen, whatever the arrival order.
CREATE TABLE order_facts (
  order_id uuid PRIMARY KEY,
  sequence integer NOT NULL CHECK (sequence > 0),
  status text NOT NULL,
  customer_key text,
  total_amount bigint NOT NULL,
  currency char(3) NOT NULL,
  items jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array'),
  placed_at timestamptz NOT NULL,
  status_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX order_facts_placed_idx ON order_facts (placed_at);
CREATE INDEX order_facts_customer_idx ON order_facts (customer_key, placed_at) WHERE customer_key IS NOT NULL;

-- Money movements, one row per natural key (payment + kind, or refund id): a redelivered or
-- backfilled event is a no-op (G4). Net revenue = captured - refunded, per currency.
CREATE TABLE payment_facts (
  id text PRIMARY KEY,
  order_id uuid NOT NULL,
  payment_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('authorized', 'captured', 'failed', 'voided', 'refunded')),
  amount bigint NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL,
  method text,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX payment_facts_time_idx ON payment_facts (kind, occurred_at);

-- When each fulfillment reached each status (its machine is linear: one time per status).
CREATE TABLE fulfillment_steps (
  fulfillment_id uuid NOT NULL,
  status text NOT NULL,
  order_id uuid NOT NULL,
  warehouse_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (fulfillment_id, status)
);

-- Shipment moves by the shipment's own version (G6).
CREATE TABLE shipment_steps (
  shipment_id uuid NOT NULL,
  version integer NOT NULL,
  status text NOT NULL,
  order_id uuid NOT NULL,
  carrier text NOT NULL,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (shipment_id, version)
);
CREATE INDEX shipment_steps_time_idx ON shipment_steps (occurred_at);

CREATE TABLE return_steps (
  return_id uuid NOT NULL,
  status text NOT NULL,
  order_id uuid NOT NULL,
  refund_amount bigint,
  currency char(3),
  units integer NOT NULL DEFAULT 0,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (return_id, status)
);
CREATE INDEX return_steps_time_idx ON return_steps (status, occurred_at);

-- Products as the catalog announces them (category for category performance), by version.
CREATE TABLE products (
  product_id uuid PRIMARY KEY,
  sku text NOT NULL,
  category text,
  status text NOT NULL,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX products_sku_idx ON products (sku);

-- Customers by key; `customer.deleted` replaces the key everywhere with a random one (G10).
CREATE TABLE customers (
  customer_key text PRIMARY KEY,
  registered_at timestamptz,
  status text NOT NULL,
  erased_at timestamptz
);

-- Aggregates written by the hourly and daily jobs (G7): a bucket is recomputed by replacing its
-- rows in one transaction, so a second run leaves the same rows.
CREATE TABLE metric_buckets (
  granularity text NOT NULL CHECK (granularity IN ('hour', 'day')),
  bucket_start timestamptz NOT NULL,
  metric text NOT NULL,
  dimension text NOT NULL DEFAULT '',
  currency text NOT NULL DEFAULT '',
  value bigint NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (granularity, bucket_start, metric, dimension, currency)
);

-- Reconciliation results per day and check (SG-17, Fix 14).
CREATE TABLE reconciliation_results (
  day date NOT NULL,
  check_name text NOT NULL,
  dimension text NOT NULL,
  expected bigint NOT NULL,
  actual bigint NOT NULL,
  ok boolean NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (day, check_name, dimension)
);
