-- Loyalty points (issue 12; docs/loyalty.md). Runs with search_path set to the loyalty schema.

-- One account per customer, opened on customer.created (or by the first earning, whichever
-- comes first). The balance is never negative (CHECK); what a reversal could not take is
-- recorded as shortfall. Erasure (customer.deleted) zeroes it and deletes the history.
CREATE TABLE accounts (
  customer_id uuid PRIMARY KEY,
  balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  lifetime_points bigint NOT NULL DEFAULT 0 CHECK (lifetime_points >= 0),
  shortfall bigint NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
  last_earned_at timestamptz,
  erased_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- points-expiry: accounts with a balance by their last earning.
CREATE INDEX accounts_expiry_idx ON accounts (last_earned_at, customer_id) WHERE balance > 0;

-- The ledger: every balance change, and the audit of admin adjustments (actor, reason).
CREATE TABLE transactions (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES accounts (customer_id) ON DELETE CASCADE,
  order_id uuid,
  kind text NOT NULL CHECK (kind IN ('earned', 'reversed', 'redeemed', 'expired', 'adjusted')),
  -- The signed change of the balance; `requested` is what the rule asked for (a reversal or expiry
  -- of more than the balance holds takes what there is, the difference is `shortfall`).
  points bigint NOT NULL,
  requested bigint NOT NULL,
  shortfall bigint NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
  -- Lifetime points this change adds (earnings) or takes back (reversals of earnings).
  lifetime_delta bigint NOT NULL DEFAULT 0,
  tier text,
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
  idempotency_key text CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 255),
  balance_after bigint NOT NULL CHECK (balance_after >= 0),
  occurred_at timestamptz NOT NULL
);
CREATE INDEX transactions_customer_idx ON transactions (customer_id, id);
-- Idempotent per (order, kind): one earning and one reversal per order (seeds: TransactionExists).
CREATE UNIQUE INDEX transactions_order_kind_idx ON transactions (order_id, kind)
  WHERE order_id IS NOT NULL AND kind IN ('earned', 'reversed');
-- Admin adjustments retried with the same Idempotency-Key apply once.
CREATE UNIQUE INDEX transactions_idempotency_idx ON transactions (customer_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
