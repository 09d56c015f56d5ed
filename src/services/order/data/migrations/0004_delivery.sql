-- After confirmation (docs/order-lifecycle.md): fulfillment drives processing/shipped, shipping
-- drives delivered, a job completes delivered orders after the return window.
ALTER TABLE orders ADD COLUMN processing_at timestamptz;
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
ALTER TABLE orders ADD COLUMN delivered_at timestamptz;
ALTER TABLE orders ADD COLUMN completed_at timestamptz;
-- Facts that may arrive before the status they lead to (events of different topics are not
-- ordered with each other): every fulfillment shipped / every shipment delivered. The status
-- follows as soon as the table allows it, so a reordered delivery is never lost (G6).
ALTER TABLE orders ADD COLUMN all_fulfillments_shipped_at timestamptz;
ALTER TABLE orders ADD COLUMN all_shipments_delivered_at timestamptz;

-- order-completion: delivered (or partially returned) orders by delivery time.
CREATE INDEX orders_completion_due_idx ON orders (delivered_at, id)
  WHERE status IN ('delivered', 'partially_returned');

-- The order's copy of its shipments for owner/admin views (from shipping.shipment.status_changed;
-- version guards against stale or reordered events: G6).
CREATE TABLE order_shipments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  fulfillment_id uuid,
  carrier text NOT NULL,
  tracking_number text,
  status text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  updated_at timestamptz NOT NULL
);
CREATE INDEX order_shipments_order_idx ON order_shipments (order_id, id);
-- delivery-check: shipped orders told "all delivered".
CREATE INDEX orders_delivery_check_idx ON orders (all_shipments_delivered_at, id)
  WHERE status = 'shipped' AND all_shipments_delivered_at IS NOT NULL;
