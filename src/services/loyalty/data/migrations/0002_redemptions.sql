-- Redemption at checkout (docs/loyalty.md "Redemption"): points held for an order as a discount,
-- released when the checkout fails or the order is cancelled. One row per order (the checkout
-- saga's id is the order id), so redeeming and releasing are idempotent.
ALTER TABLE transactions DROP CONSTRAINT transactions_kind_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_kind_check
  CHECK (kind IN ('earned', 'reversed', 'redeemed', 'released', 'expired', 'adjusted'));

CREATE TABLE redemptions (
  order_id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES accounts (customer_id) ON DELETE CASCADE,
  points bigint NOT NULL CHECK (points > 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  discount bigint NOT NULL CHECK (discount >= 0),
  status text NOT NULL CHECK (status IN ('held', 'released')),
  reason text,
  created_at timestamptz NOT NULL,
  released_at timestamptz,
  CHECK ((status = 'released') = (released_at IS NOT NULL))
);
CREATE INDEX redemptions_customer_idx ON redemptions (customer_id);
