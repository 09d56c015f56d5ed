-- Order lifecycle after checkout (docs/order-lifecycle.md): capture with retries, confirmation,
-- cancellation, and the bookkeeping the order jobs page over.

-- Capture of card payments (orders.payment.capture_requested → capture worker / capture-retry job).
-- capture_state: NULL (no capture: COD, bank transfer), scheduled (an attempt is due at
-- capture_next_at), captured, failed (retries exhausted, refused or authorization too old).
ALTER TABLE orders ADD COLUMN capture_state text;
ALTER TABLE orders ADD COLUMN capture_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN capture_next_at timestamptz;
ALTER TABLE orders ADD COLUMN capture_last_error text;
ALTER TABLE orders ADD CONSTRAINT orders_capture_state_valid
  CHECK (capture_state IS NULL OR capture_state IN ('scheduled', 'captured', 'failed'));
ALTER TABLE orders ADD CONSTRAINT orders_capture_attempts_non_negative CHECK (capture_attempts >= 0);
ALTER TABLE orders ADD CONSTRAINT orders_capture_due_when_scheduled
  CHECK ((capture_state = 'scheduled') = (capture_next_at IS NOT NULL));

-- Who confirmed / cancelled and why (OR-P1-04: the cancellation window counts from created_at).
ALTER TABLE orders ADD COLUMN confirmed_at timestamptz;
ALTER TABLE orders ADD COLUMN cancelled_at timestamptz;
ALTER TABLE orders ADD COLUMN cancelled_by text;
ALTER TABLE orders ADD COLUMN cancel_reason text;
ALTER TABLE orders ADD CONSTRAINT orders_cancelled_by_valid
  CHECK (cancelled_by IS NULL OR cancelled_by IN ('customer', 'admin', 'system'));
ALTER TABLE orders ADD CONSTRAINT orders_cancel_reason_length
  CHECK (cancel_reason IS NULL OR char_length(cancel_reason) BETWEEN 1 AND 500);
ALTER TABLE orders ADD CONSTRAINT orders_cancelled_consistent
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL));
-- Set by the reservation-cleanup job once the warehouse confirmed the release (idempotent call).
ALTER TABLE orders ADD COLUMN reservation_released_at timestamptz;

-- capture-retry: scheduled captures by due time.
CREATE INDEX orders_capture_due_idx ON orders (capture_next_at, id) WHERE capture_state = 'scheduled';
-- order-cleanup and cod-confirmation: pending orders by method and age.
CREATE INDEX orders_pending_method_idx ON orders (payment_method, created_at, id) WHERE status = 'pending';
-- reservation-cleanup: cancelled orders whose release is not confirmed yet.
CREATE INDEX orders_unreleased_idx ON orders (cancelled_at, id)
  WHERE status = 'cancelled' AND reservation_released_at IS NULL;
-- Admin list (newest first, optional status filter) and the customer's list.
CREATE INDEX orders_status_id_idx ON orders (status, id);
