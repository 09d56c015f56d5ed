-- Warehouse (inventory): warehouses, stock per (warehouse, sku), the inventory ledger,
-- reservations and daily capacity usage. Runs with search_path set to the warehouse schema.

CREATE TABLE warehouses (
  id uuid PRIMARY KEY,
  code text NOT NULL,
  name text NOT NULL,
  capacity_per_day integer NOT NULL,
  -- {line1, city, postalCode, country}
  address jsonb NOT NULL,
  lat numeric(9, 6) NOT NULL,
  lng numeric(9, 6) NOT NULL,
  status text NOT NULL DEFAULT 'active',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT warehouses_code_unique UNIQUE (code),
  CONSTRAINT warehouses_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
  CONSTRAINT warehouses_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  -- FUL-P0-03 / WH-P0-03: a warehouse always has a positive daily capacity.
  CONSTRAINT warehouses_capacity_positive CHECK (capacity_per_day > 0),
  CONSTRAINT warehouses_address_object CHECK (jsonb_typeof(address) = 'object'),
  CONSTRAINT warehouses_lat_range CHECK (lat BETWEEN -90 AND 90),
  CONSTRAINT warehouses_lng_range CHECK (lng BETWEEN -180 AND 180),
  CONSTRAINT warehouses_status_valid CHECK (status IN ('active', 'inactive')),
  CONSTRAINT warehouses_version_positive CHECK (version >= 1)
);

CREATE INDEX warehouses_status_id_idx ON warehouses (status, id);

CREATE TABLE stock (
  warehouse_id uuid NOT NULL REFERENCES warehouses (id),
  sku text NOT NULL,
  on_hand integer NOT NULL DEFAULT 0,
  reserved integer NOT NULL DEFAULT 0,
  -- NULL: the WAREHOUSE_LOW_STOCK_THRESHOLD default applies.
  low_stock_threshold integer,
  -- Bumped by every change; reconciliation corrects a row only if it is unchanged since it looked.
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (warehouse_id, sku),
  -- G1 / WH-P0-03: stock can never go negative nor be over-reserved, whatever the code does.
  CONSTRAINT stock_on_hand_non_negative CHECK (on_hand >= 0),
  CONSTRAINT stock_reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= on_hand),
  CONSTRAINT stock_threshold_non_negative CHECK (low_stock_threshold IS NULL OR low_stock_threshold >= 0)
);

-- Availability and allocation read stock by sku across warehouses.
CREATE INDEX stock_sku_idx ON stock (sku);

-- WH-P1-03: every change of on_hand or reserved, with who, why and for what.
CREATE TABLE inventory_ledger (
  id uuid PRIMARY KEY,
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  delta_on_hand integer NOT NULL,
  delta_reserved integer NOT NULL,
  reason text NOT NULL,
  -- What the change was for: a reservation id, a request id, a reconciliation run.
  reference text,
  -- Free text from the operator (the `reason` of an adjustment).
  note text,
  actor text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT inventory_ledger_reason_valid CHECK (
    reason IN ('set', 'adjust', 'import', 'reserve', 'release', 'expire', 'fulfil', 'reconciliation')
  ),
  CONSTRAINT inventory_ledger_reference_length CHECK (reference IS NULL OR char_length(reference) <= 200),
  CONSTRAINT inventory_ledger_note_length CHECK (note IS NULL OR char_length(note) <= 500),
  CONSTRAINT inventory_ledger_not_empty CHECK (delta_on_hand <> 0 OR delta_reserved <> 0)
);

-- Reconciliation sums the ledger per (warehouse, sku).
CREATE INDEX inventory_ledger_stock_idx ON inventory_ledger (warehouse_id, sku);

CREATE TABLE reservations (
  id uuid PRIMARY KEY,
  -- Idempotency: one reservation per caller reference (e.g. the checkout id).
  reference text NOT NULL,
  order_id uuid NOT NULL,
  status text NOT NULL,
  expires_at timestamptz NOT NULL,
  -- The day whose capacity the reservation consumed (given back on release/expiry).
  capacity_day date NOT NULL,
  ship_to jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT reservations_reference_unique UNIQUE (reference),
  CONSTRAINT reservations_reference_length CHECK (char_length(reference) BETWEEN 1 AND 200),
  CONSTRAINT reservations_status_valid CHECK (
    status IN ('active', 'confirmed', 'fulfilled', 'expired', 'released')
  )
);

-- WH-P0-02: the expiry job walks active reservations by (expires_at, id).
CREATE INDEX reservations_active_expiry_idx ON reservations (expires_at, id) WHERE status = 'active';
CREATE INDEX reservations_order_id_idx ON reservations (order_id);

CREATE TABLE reservation_items (
  reservation_id uuid NOT NULL REFERENCES reservations (id),
  warehouse_id uuid NOT NULL,
  sku text NOT NULL,
  quantity integer NOT NULL,
  PRIMARY KEY (reservation_id, warehouse_id, sku),
  CONSTRAINT reservation_items_quantity_positive CHECK (quantity > 0)
);

-- Reconciliation sums live reservation items per (warehouse, sku).
CREATE INDEX reservation_items_stock_idx ON reservation_items (warehouse_id, sku);

-- FUL-P0-03: units reserved per warehouse and day. A new day is a new row, so nothing resets.
CREATE TABLE capacity_usage (
  warehouse_id uuid NOT NULL REFERENCES warehouses (id),
  day date NOT NULL,
  units integer NOT NULL,
  -- The warehouse's capacity_per_day when units last grew.
  capacity integer NOT NULL,
  PRIMARY KEY (warehouse_id, day),
  CONSTRAINT capacity_usage_units_range CHECK (units >= 0 AND units <= capacity)
);
