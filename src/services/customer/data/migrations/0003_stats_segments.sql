-- Order statistics and segments (issue 12; docs/customers.md "Statistics", "Segments").

-- What the customer service knows about each order, set from orders.order.status_changed,
-- payments.refund.completed and orders.return.completed. Facts are set-like (LEAST, OR, sums of
-- once-applied amounts), so any order of arrival gives the same row (G6); statistics are derived
-- from them. The customer id may arrive after a refund (refund events do not carry it).
CREATE TABLE order_facts (
  order_id uuid PRIMARY KEY,
  customer_id uuid,
  currency char(3) CHECK (currency IS NULL OR currency ~ '^[A-Z]{3}$'),
  total bigint CHECK (total IS NULL OR total >= 0),
  -- The delivered event's time (or the earliest later status implying delivery).
  delivered_at timestamptz,
  cancelled boolean NOT NULL DEFAULT false,
  -- Fully refunded or fully returned: the purchase no longer counts.
  fully_reversed boolean NOT NULL DEFAULT false,
  refunded bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0),
  returns integer NOT NULL DEFAULT 0 CHECK (returns >= 0),
  updated_at timestamptz NOT NULL
);
CREATE INDEX order_facts_customer_idx ON order_facts (customer_id) WHERE customer_id IS NOT NULL;

-- Idempotency per (order, kind) (C11): a kind is a status, `refund:<refund id>` or
-- `return:<return id>`; a second application of the same kind changes nothing.
CREATE TABLE order_fact_applications (
  order_id uuid NOT NULL,
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
  applied_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, kind)
);

-- Per customer and currency: counters derived from order_facts plus the corrections of the hourly
-- reconciliation against the order service (C-W1, C12). Readers use the eff_* columns.
CREATE TABLE customer_stats (
  customer_id uuid NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total_orders integer NOT NULL DEFAULT 0,
  total_spent bigint NOT NULL DEFAULT 0,
  returns integer NOT NULL DEFAULT 0,
  last_order_at timestamptz,
  orders_correction integer NOT NULL DEFAULT 0,
  spent_correction bigint NOT NULL DEFAULT 0,
  returns_correction integer NOT NULL DEFAULT 0,
  reconciled_last_order_at timestamptz,
  eff_orders integer GENERATED ALWAYS AS (total_orders + orders_correction) STORED,
  eff_spent bigint GENERATED ALWAYS AS (total_spent + spent_correction) STORED,
  eff_returns integer GENERATED ALWAYS AS (returns + returns_correction) STORED,
  eff_last_order_at timestamptz GENERATED ALWAYS AS (GREATEST(last_order_at, reconciled_last_order_at)) STORED,
  updated_at timestamptz NOT NULL,
  reconciled_at timestamptz,
  PRIMARY KEY (customer_id, currency)
);

-- Rule-based segments (SEG): rules are data, evaluated as SQL (domain/segment-rules.ts).
CREATE TABLE segments (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  description text CHECK (description IS NULL OR length(description) <= 500),
  rules jsonb NOT NULL,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- The nightly run: finished at last_evaluated_at; while running, the last customer id done, so
  -- an interrupted run resumes there (C13).
  last_evaluated_at timestamptz,
  evaluation_cursor uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE segment_members (
  segment_id uuid NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_members_customer_idx ON segment_members (customer_id);
