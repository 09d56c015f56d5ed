-- Payment: payments, the log of provider operations, webhook idempotency, and the state of the
-- built-in testpay simulator. Runs with search_path set to the payment schema.

CREATE TABLE payments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  provider text NOT NULL,
  method text NOT NULL,
  status text NOT NULL,
  amount bigint NOT NULL,
  currency text NOT NULL,
  captured_amount bigint NOT NULL DEFAULT 0,
  refunded_amount bigint NOT NULL DEFAULT 0,
  provider_ref text,
  -- G2: one payment per authorize key (`checkout:{id}:authorize`); a retry finds it.
  idempotency_key text NOT NULL,
  failure_code text,
  failure_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT payments_idempotency_key_unique UNIQUE (idempotency_key),
  CONSTRAINT payments_provider_ref_unique UNIQUE (provider, provider_ref),
  CONSTRAINT payments_method_valid CHECK (method IN ('card', 'cod', 'bank_transfer')),
  CONSTRAINT payments_status_valid CHECK (status IN
    ('pending', 'authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'failed', 'expired')),
  CONSTRAINT payments_amount_positive CHECK (amount > 0),
  CONSTRAINT payments_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  -- Never capture more than authorized, never refund more than captured.
  CONSTRAINT payments_captured_range CHECK (captured_amount >= 0 AND captured_amount <= amount),
  CONSTRAINT payments_refunded_range CHECK (refunded_amount >= 0 AND refunded_amount <= captured_amount),
  CONSTRAINT payments_version_positive CHECK (version >= 1)
);

CREATE INDEX payments_order_id_idx ON payments (order_id, id);
-- Status sync and bank-transfer expiry walk pending payments oldest first.
CREATE INDEX payments_pending_idx ON payments (method, created_at, id) WHERE status = 'pending';
-- Reconciliation walks recently changed payments.
CREATE INDEX payments_updated_at_idx ON payments (updated_at, id);

CREATE TABLE payment_operations (
  id uuid PRIMARY KEY,
  payment_id uuid NOT NULL REFERENCES payments (id),
  kind text NOT NULL,
  idempotency_key text NOT NULL,
  amount bigint NOT NULL,
  -- unknown: the provider did not answer (timeout); status sync or a void resolves it.
  status text NOT NULL,
  provider_ref text,
  error text,
  attempts integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT payment_operations_key_unique UNIQUE (idempotency_key),
  CONSTRAINT payment_operations_kind_valid CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
  CONSTRAINT payment_operations_status_valid CHECK (status IN ('in_progress', 'succeeded', 'failed', 'unknown')),
  CONSTRAINT payment_operations_amount_range CHECK (amount >= 0),
  CONSTRAINT payment_operations_attempts_positive CHECK (attempts >= 1)
);

CREATE INDEX payment_operations_payment_id_idx ON payment_operations (payment_id, kind);

-- PAY-P0-02: one row per provider event id; the request hash tells a replay from a conflict.
CREATE TABLE webhook_events (
  id uuid PRIMARY KEY,
  provider text NOT NULL,
  provider_event_id text NOT NULL,
  event_type text NOT NULL,
  request_hash text NOT NULL,
  status text NOT NULL,
  response jsonb,
  error text,
  received_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT webhook_events_event_unique UNIQUE (provider, provider_event_id),
  CONSTRAINT webhook_events_status_valid CHECK (status IN ('in_progress', 'completed', 'failed')),
  CONSTRAINT webhook_events_event_id_length CHECK (char_length(provider_event_id) BETWEEN 1 AND 200)
);

CREATE INDEX webhook_events_received_at_idx ON webhook_events (received_at, id);

-- The testpay simulator's own ledger (it plays an outside gateway, so its state must be shared by
-- every replica and survive restarts, like a real gateway's). Only the testpay adapter touches it.
CREATE TABLE testpay_charges (
  id text PRIMARY KEY,
  authorize_key text NOT NULL,
  order_id uuid NOT NULL,
  token text NOT NULL,
  amount bigint NOT NULL,
  currency text NOT NULL,
  status text NOT NULL,
  captured_amount bigint NOT NULL DEFAULT 0,
  refunded_amount bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT testpay_charges_authorize_key_unique UNIQUE (authorize_key),
  CONSTRAINT testpay_charges_status_valid CHECK (status IN
    ('authorized', 'captured', 'partially_refunded', 'refunded', 'voided', 'failed')),
  CONSTRAINT testpay_charges_amounts CHECK (
    amount > 0 AND captured_amount BETWEEN 0 AND amount AND refunded_amount BETWEEN 0 AND captured_amount)
);

-- The simulator's idempotency store: a repeated key gets the stored answer; `hits` counts calls.
CREATE TABLE testpay_requests (
  operation text NOT NULL,
  idempotency_key text NOT NULL,
  response jsonb NOT NULL,
  hits integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (operation, idempotency_key)
);
