-- The newest orders.order.status_changed sequence applied per order (G6): an event whose sequence
-- is not newer changes nothing, so a stale `confirmed` can never confirm a released reservation.
CREATE TABLE order_sequences (
  order_id uuid PRIMARY KEY,
  sequence integer NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT order_sequences_positive CHECK (sequence >= 1)
);
