-- Cancelled orders whose payments must be settled (04-services.md "payment": consumes
-- orders.order.status_changed — cancelled → void if authorized, refund if captured). The consumer
-- records the request in its inbox transaction; provider calls run outside it (order-settlement
-- job), and a settlement that fails goes to failed_compensations (G5).
CREATE TABLE order_settlements (
  order_id uuid PRIMARY KEY,
  reason text,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT order_settlements_status_valid CHECK (status IN ('pending', 'settled', 'compensating')),
  CONSTRAINT order_settlements_attempts_non_negative CHECK (attempts >= 0)
);
CREATE INDEX order_settlements_pending_idx ON order_settlements (created_at, order_id) WHERE status = 'pending';
