-- Returns (docs/order-lifecycle.md "Returns"): requested → approved | rejected, approved → received
-- | rejected, received → completed. Receiving arms two compensable steps, restock and refund, run
-- right after the commit and by the return-compensation job until both are done (G5).
CREATE TABLE returns (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  status text NOT NULL,
  reason text,
  reject_reason text,
  -- Where a rejected return puts the order back (the order is return_requested while one is open).
  order_status_before text NOT NULL,
  -- Fixed when requested (domain/return-refund.ts); the refund step pays exactly this.
  currency char(3) NOT NULL,
  refund_amount bigint NOT NULL,
  requested_by text NOT NULL,
  decided_by text,
  received_by text,
  -- Compensable steps: NULL until received, then pending → done. One runner at a time holds a
  -- return by pushing steps_next_at out by a lease (claim); failures back off from it.
  restock_state text,
  restock_attempts integer NOT NULL DEFAULT 0,
  restock_last_error text,
  restocked_at timestamptz,
  refund_state text,
  refund_attempts integer NOT NULL DEFAULT 0,
  refund_last_error text,
  -- Refusals burn an idempotency key at the payment service; the next try uses a fresh one.
  refund_refusals integer NOT NULL DEFAULT 0,
  refund_id uuid,
  refunded_at timestamptz,
  steps_next_at timestamptz,
  step_claims integer NOT NULL DEFAULT 0,
  requested_at timestamptz NOT NULL,
  approved_at timestamptz,
  rejected_at timestamptz,
  received_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL,
  CONSTRAINT returns_status_valid CHECK (status IN ('requested', 'approved', 'rejected', 'received', 'completed')),
  CONSTRAINT returns_order_status_before_valid CHECK (order_status_before IN ('delivered', 'partially_returned')),
  CONSTRAINT returns_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT returns_refund_non_negative CHECK (refund_amount >= 0),
  CONSTRAINT returns_reason_length CHECK (reason IS NULL OR char_length(reason) BETWEEN 1 AND 500),
  CONSTRAINT returns_reject_reason_length CHECK (reject_reason IS NULL OR char_length(reject_reason) BETWEEN 1 AND 500),
  CONSTRAINT returns_reject_reason_when_rejected CHECK (reject_reason IS NULL OR status = 'rejected'),
  CONSTRAINT returns_restock_state_valid CHECK (restock_state IS NULL OR restock_state IN ('pending', 'done')),
  CONSTRAINT returns_refund_state_valid CHECK (refund_state IS NULL OR refund_state IN ('pending', 'done')),
  CONSTRAINT returns_steps_armed_when_received CHECK (
    (status IN ('received', 'completed')) = (restock_state IS NOT NULL AND refund_state IS NOT NULL)),
  CONSTRAINT returns_completed_steps_done CHECK (
    status <> 'completed' OR (restock_state = 'done' AND refund_state = 'done')),
  CONSTRAINT returns_steps_due_while_received CHECK ((status = 'received') = (steps_next_at IS NOT NULL)),
  CONSTRAINT returns_attempts_non_negative CHECK (
    restock_attempts >= 0 AND refund_attempts >= 0 AND refund_refusals >= 0 AND step_claims >= 0),
  CONSTRAINT returns_refund_id_when_done CHECK (refund_id IS NULL OR refund_state = 'done'),
  CONSTRAINT returns_restocked_when_done CHECK ((restock_state = 'done') = (restocked_at IS NOT NULL)),
  CONSTRAINT returns_refunded_when_done CHECK ((refund_state = 'done') = (refunded_at IS NOT NULL)),
  CONSTRAINT returns_approved_at CHECK (approved_at IS NOT NULL OR status NOT IN ('approved', 'received', 'completed')),
  CONSTRAINT returns_rejected_at CHECK ((status = 'rejected') = (rejected_at IS NOT NULL)),
  CONSTRAINT returns_received_at CHECK ((status IN ('received', 'completed')) = (received_at IS NOT NULL)),
  CONSTRAINT returns_completed_at CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
-- At most one open return per order: a concurrent second request fails on this index (409).
CREATE UNIQUE INDEX returns_one_open_per_order ON returns (order_id)
  WHERE status IN ('requested', 'approved', 'received');
CREATE INDEX returns_order_idx ON returns (order_id, id);
-- Admin list: newest first, optional status filter.
CREATE INDEX returns_status_id_idx ON returns (status, id);
-- return-compensation: received returns whose steps are due.
CREATE INDEX returns_steps_due_idx ON returns (steps_next_at, id) WHERE status = 'received';

-- What a return takes back: order items (one sku and warehouse each), so restock goes to the
-- warehouse the units shipped from, never a default.
CREATE TABLE return_items (
  return_id uuid NOT NULL REFERENCES returns (id),
  order_item_id uuid NOT NULL REFERENCES order_items (id),
  sku text NOT NULL,
  warehouse_id uuid NOT NULL,
  quantity integer NOT NULL,
  unit_price bigint NOT NULL,
  PRIMARY KEY (return_id, order_item_id),
  CONSTRAINT return_items_quantity_positive CHECK (quantity > 0),
  CONSTRAINT return_items_price_non_negative CHECK (unit_price >= 0)
);
CREATE INDEX return_items_order_item_idx ON return_items (order_item_id);
