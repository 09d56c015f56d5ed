-- WH-P0-02 per warehouse: fulfillment ships (or is cancelled) one warehouse of an order at a time,
-- so each reservation item is settled on its own, exactly once: `fulfilled` (on_hand and reserved
-- deducted) or `released` (reserved given back). Only unsettled items of active/confirmed
-- reservations are still held; whole-reservation release, expiry and fulfilment touch only those.
ALTER TABLE reservation_items
  ADD COLUMN settled text,
  ADD COLUMN settled_at timestamptz,
  ADD CONSTRAINT reservation_items_settled_valid CHECK (settled IS NULL OR settled IN ('fulfilled', 'released')),
  ADD CONSTRAINT reservation_items_settled_at CHECK ((settled IS NULL) = (settled_at IS NULL));

-- Reservations that ended before this migration settled all their items with them.
UPDATE reservation_items AS ri
SET settled = CASE WHEN r.status = 'fulfilled' THEN 'fulfilled' ELSE 'released' END, settled_at = r.updated_at
FROM reservations AS r
WHERE r.id = ri.reservation_id AND r.status IN ('fulfilled', 'released', 'expired');

-- Returned goods back on hand (orders' returns): ledger reason `restock`.
ALTER TABLE inventory_ledger DROP CONSTRAINT inventory_ledger_reason_valid;
ALTER TABLE inventory_ledger ADD CONSTRAINT inventory_ledger_reason_valid CHECK (
  reason IN ('set', 'adjust', 'import', 'reserve', 'release', 'expire', 'fulfil', 'restock', 'reconciliation')
);

-- One row per restock reference (a return id), inserted in the transaction of its stock change:
-- a repeated restock finds it and changes nothing. `items` is what was restocked, so reusing a
-- reference for other goods is refused rather than silently ignored.
CREATE TABLE restocks (
  reference text PRIMARY KEY,
  items jsonb NOT NULL,
  actor text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT restocks_reference_length CHECK (char_length(reference) BETWEEN 1 AND 200),
  CONSTRAINT restocks_items_array CHECK (jsonb_typeof(items) = 'array')
);
