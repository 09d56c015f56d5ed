-- Fulfillment (04-services.md "fulfillment"): one fulfillment per order per warehouse (FUL-P0-01),
-- the status matrix of 02-events.md (FUL-P0-02, guarded in domain/fulfillment-status.ts), packages
-- and batch picklists (FUL-P0-05).
CREATE TABLE fulfillments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  warehouse_id uuid NOT NULL,
  status text NOT NULL,
  -- [{sku, quantity}] allocated to this warehouse: fixed at creation, never edited.
  items jsonb NOT NULL,
  picklist_id uuid,
  sla_due_at timestamptz NOT NULL,
  sla_breached_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT fulfillments_status_check CHECK (status IN (
    'pending', 'picking', 'picked', 'packing', 'packed', 'ready_to_ship', 'shipped', 'completed', 'cancelled')),
  CONSTRAINT fulfillments_items_array CHECK (jsonb_typeof(items) = 'array'),
  CONSTRAINT fulfillments_version_positive CHECK (version >= 1),
  -- FUL-P0-01: a redelivered `confirmed` can never create a second fulfillment (ON CONFLICT DO NOTHING).
  CONSTRAINT fulfillments_order_warehouse_key UNIQUE (order_id, warehouse_id)
);
CREATE INDEX fulfillments_status_idx ON fulfillments (status, id);
CREATE INDEX fulfillments_warehouse_idx ON fulfillments (warehouse_id, id);
-- The SLA breach detector's scan: active, not yet reported, by due time.
CREATE INDEX fulfillments_sla_idx ON fulfillments (sla_due_at, id)
  WHERE sla_breached_at IS NULL
    AND status IN ('pending', 'picking', 'picked', 'packing', 'packed', 'ready_to_ship');

CREATE TABLE packages (
  id uuid PRIMARY KEY,
  fulfillment_id uuid NOT NULL REFERENCES fulfillments (id),
  status text NOT NULL,
  weight_grams integer NOT NULL,
  length_mm integer,
  width_mm integer,
  height_mm integer,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT packages_status_check CHECK (status IN ('open', 'packed', 'ready_to_ship', 'shipped', 'cancelled')),
  CONSTRAINT packages_weight_positive CHECK (weight_grams > 0),
  CONSTRAINT packages_dims_positive CHECK (
    (length_mm IS NULL OR length_mm > 0) AND (width_mm IS NULL OR width_mm > 0) AND (height_mm IS NULL OR height_mm > 0))
);
CREATE INDEX packages_fulfillment_idx ON packages (fulfillment_id, id);

CREATE TABLE picklists (
  id uuid PRIMARY KEY,
  status text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT picklists_status_check CHECK (status IN ('open', 'picking', 'picked', 'cancelled'))
);

CREATE TABLE picklist_items (
  picklist_id uuid NOT NULL REFERENCES picklists (id),
  fulfillment_id uuid NOT NULL REFERENCES fulfillments (id),
  PRIMARY KEY (picklist_id, fulfillment_id),
  -- Only pending fulfillments join a picklist and they leave pending doing so: one picklist each.
  CONSTRAINT picklist_items_fulfillment_key UNIQUE (fulfillment_id)
);

-- The newest orders.order.status_changed sequence applied per order (G6): a stale `confirmed`
-- arriving after `cancelled` creates nothing.
CREATE TABLE order_sequences (
  order_id uuid PRIMARY KEY,
  sequence integer NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT order_sequences_positive CHECK (sequence >= 1)
);
