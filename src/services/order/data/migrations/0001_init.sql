-- Order service: carts, checkouts (the saga's record) and orders. Runs with search_path = order.

-- Guest carts are owned by whoever holds the secret cart token; only its sha256 is stored
-- (OR-P0-02). Customer carts (customer_id) come with customer accounts.
CREATE TABLE carts (
  id uuid PRIMARY KEY,
  token_hash text,
  customer_id uuid,
  currency char(3) NOT NULL,
  status text NOT NULL DEFAULT 'active',
  -- Optimistic locking (NEW-03): every mutation bumps it with a conditional update.
  version integer NOT NULL DEFAULT 1,
  shipping_address jsonb,
  shipping_option_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT carts_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- A guest cart has a token; a customer cart is bound to its customer.
  CONSTRAINT carts_owner CHECK (token_hash IS NOT NULL OR customer_id IS NOT NULL),
  CONSTRAINT carts_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT carts_status_valid CHECK (status IN ('active', 'checked_out', 'abandoned')),
  CONSTRAINT carts_version_positive CHECK (version >= 1),
  CONSTRAINT carts_address_object CHECK (shipping_address IS NULL OR jsonb_typeof(shipping_address) = 'object'),
  CONSTRAINT carts_option_length CHECK (shipping_option_id IS NULL OR char_length(shipping_option_id) BETWEEN 1 AND 100)
);
CREATE INDEX carts_customer_idx ON carts (customer_id) WHERE customer_id IS NOT NULL AND status = 'active';
-- Cart cleanup (abandoned carts) walks active carts by last change.
CREATE INDEX carts_active_updated_idx ON carts (updated_at, id) WHERE status = 'active';

CREATE TABLE cart_items (
  id uuid PRIMARY KEY,
  cart_id uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  sku text NOT NULL,
  product_id uuid NOT NULL,
  quantity integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT cart_items_quantity_range CHECK (quantity BETWEEN 1 AND 999),
  CONSTRAINT cart_items_sku_length CHECK (char_length(sku) BETWEEN 1 AND 64),
  CONSTRAINT cart_items_cart_sku_unique UNIQUE (cart_id, sku)
);

-- One row per checkout attempt; its id becomes the order id. The saga's steps are in saga_steps
-- (platform); this row holds what compensation needs (reservation and payment ids).
CREATE TABLE checkouts (
  id uuid PRIMARY KEY,
  cart_id uuid NOT NULL REFERENCES carts (id),
  idempotency_scope text NOT NULL,
  idempotency_key text NOT NULL,
  payment_method text NOT NULL,
  status text NOT NULL,
  reservation_id text,
  payment_id text,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT checkouts_status_valid CHECK (
    status IN ('started', 'reserved', 'authorized', 'completed', 'compensating', 'failed')
  ),
  CONSTRAINT checkouts_method_valid CHECK (payment_method IN ('card', 'cod', 'bank_transfer'))
);
CREATE INDEX checkouts_cart_idx ON checkouts (cart_id);
-- Recovery job: unfinished checkouts by last change.
CREATE INDEX checkouts_unfinished_idx ON checkouts (updated_at, id)
  WHERE status IN ('started', 'reserved', 'authorized', 'compensating');

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  cart_id uuid NOT NULL REFERENCES carts (id),
  customer_id uuid,
  -- The cart token's hash: the guest who bought reads the order with the same X-Cart-Token.
  guest_token_hash text,
  status text NOT NULL,
  payment_status text NOT NULL,
  payment_method text NOT NULL,
  payment_id text NOT NULL,
  reservation_id text NOT NULL,
  currency char(3) NOT NULL,
  subtotal bigint NOT NULL,
  discount bigint NOT NULL,
  shipping bigint NOT NULL,
  tax bigint NOT NULL,
  total bigint NOT NULL,
  shipping_address jsonb NOT NULL,
  shipping_option_id text NOT NULL,
  shipping_option_name text NOT NULL,
  shipping_carrier text NOT NULL,
  -- Unpaid orders are cancelled after this (payment window; the order-cleanup job of the next issue).
  payment_due_at timestamptz NOT NULL,
  -- Incremented on every status change; carried by orders.order.status_changed (G6).
  sequence integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT orders_one_per_cart UNIQUE (cart_id),
  CONSTRAINT orders_owner CHECK (customer_id IS NOT NULL OR guest_token_hash IS NOT NULL),
  CONSTRAINT orders_status_valid CHECK (status IN (
    'pending', 'confirmed', 'processing', 'shipped', 'delivered', 'completed', 'cancelled',
    'return_requested', 'returned', 'partially_returned', 'refunded')),
  CONSTRAINT orders_payment_status_valid CHECK (payment_status IN (
    'pending', 'authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'failed')),
  CONSTRAINT orders_payment_method_valid CHECK (payment_method IN ('card', 'cod', 'bank_transfer')),
  CONSTRAINT orders_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT orders_amounts_non_negative CHECK (
    subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0 AND total >= 0),
  CONSTRAINT orders_total_adds_up CHECK (total = subtotal - discount + shipping + tax),
  CONSTRAINT orders_sequence_positive CHECK (sequence >= 1)
);
CREATE INDEX orders_customer_idx ON orders (customer_id, id) WHERE customer_id IS NOT NULL;
CREATE INDEX orders_status_due_idx ON orders (status, payment_due_at);

-- One row per sku and warehouse: an item split across warehouses has one row per warehouse, so
-- fulfillment (one per warehouse) and returns (restock where it shipped from) address a row directly.
CREATE TABLE order_items (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  sku text NOT NULL,
  product_id uuid NOT NULL,
  name text NOT NULL,
  quantity integer NOT NULL,
  unit_price bigint NOT NULL,
  line_total bigint NOT NULL,
  warehouse_id uuid NOT NULL,
  CONSTRAINT order_items_quantity_positive CHECK (quantity > 0),
  CONSTRAINT order_items_prices_non_negative CHECK (unit_price >= 0 AND line_total >= 0),
  CONSTRAINT order_items_line_total CHECK (line_total = unit_price * quantity),
  CONSTRAINT order_items_unique_allocation UNIQUE (order_id, sku, warehouse_id)
);
