-- Shipping and completion (docs/order-lifecycle.md "Fulfillment"): the carrier of the order's
-- shipping method (from `orders.order.status_changed` `confirmed`, announced with every package so
-- shipping books the parcel with it), when a fulfillment shipped and completed, and when each
-- package was handed to the carrier and delivered (from shipping's shipment events).
ALTER TABLE fulfillments
  ADD COLUMN carrier text,
  ADD COLUMN shipped_at timestamptz,
  ADD COLUMN completed_at timestamptz,
  ADD CONSTRAINT fulfillments_carrier_length CHECK (carrier IS NULL OR char_length(carrier) BETWEEN 1 AND 64),
  -- Set with the status change that reaches them, so they always agree with the status.
  ADD CONSTRAINT fulfillments_shipped_at_status CHECK (
    shipped_at IS NOT NULL OR status NOT IN ('shipped', 'completed')),
  ADD CONSTRAINT fulfillments_completed_at_status CHECK (completed_at IS NOT NULL OR status <> 'completed');

-- The auto-complete job's scan: shipped fulfillments by the time they shipped.
CREATE INDEX fulfillments_auto_complete_idx ON fulfillments (shipped_at, id) WHERE status = 'shipped';

ALTER TABLE packages
  ADD COLUMN shipped_at timestamptz,
  ADD COLUMN delivered_at timestamptz,
  ADD CONSTRAINT packages_shipped_at_status CHECK (shipped_at IS NOT NULL OR status <> 'shipped'),
  -- A package is delivered only after it shipped (delivered_at never set on an unshipped one).
  ADD CONSTRAINT packages_delivered_after_shipped CHECK (delivered_at IS NULL OR status = 'shipped');
