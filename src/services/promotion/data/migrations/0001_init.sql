-- Promotions (04-services.md "promotion"): rules as data (PM-P1-03), their usage counters guarded by
-- CHECK constraints (PM-P0-01: never past the limit or the budget), per-customer counters, and one
-- redemption per (promotion, order) that is reserved by checkout, confirmed on delivery and released
-- on failure, cancellation or refund (P1-2025-03). Runs with search_path set to the promotion schema.
CREATE TABLE promotions (
  id uuid PRIMARY KEY,
  -- Upper case; null: an automatic promotion.
  code text,
  name text NOT NULL,
  type text NOT NULL,
  -- Whole percent (percentage, buy_x_get_y), minor units (fixed), 0 (free_shipping).
  value bigint NOT NULL,
  currency text,
  buy_quantity integer,
  get_quantity integer,
  -- {minSubtotal?: "digits", skus?: [], categories?: [], segments?: [], firstOrder?: bool}
  conditions jsonb NOT NULL DEFAULT '{}',
  usage_limit integer,
  per_customer_limit integer,
  budget bigint,
  starts_at timestamptz,
  ends_at timestamptz,
  stackable boolean NOT NULL DEFAULT false,
  priority integer NOT NULL DEFAULT 0,
  -- Reserved + confirmed redemptions and their discount: what the limit and the budget count.
  uses integer NOT NULL DEFAULT 0,
  discount_used bigint NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT promotions_type_valid CHECK (type IN ('percentage', 'fixed', 'free_shipping', 'buy_x_get_y')),
  CONSTRAINT promotions_code_format CHECK (code IS NULL OR code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
  CONSTRAINT promotions_percentage_range CHECK (type NOT IN ('percentage', 'buy_x_get_y') OR value BETWEEN 0 AND 100),
  CONSTRAINT promotions_value_non_negative CHECK (value >= 0),
  CONSTRAINT promotions_fixed_has_currency CHECK (type <> 'fixed' OR currency IS NOT NULL),
  CONSTRAINT promotions_limits_positive CHECK ((usage_limit IS NULL OR usage_limit > 0)
    AND (per_customer_limit IS NULL OR per_customer_limit > 0) AND (budget IS NULL OR budget > 0)),
  -- PM-P0-01: whatever the code does, the counters never pass the limit or the budget.
  CONSTRAINT promotions_uses_within_limit CHECK (uses >= 0 AND (usage_limit IS NULL OR uses <= usage_limit)),
  CONSTRAINT promotions_discount_within_budget CHECK (discount_used >= 0 AND (budget IS NULL OR discount_used <= budget)),
  CONSTRAINT promotions_window CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);
CREATE UNIQUE INDEX promotions_code_live ON promotions (code) WHERE deleted_at IS NULL AND code IS NOT NULL;
CREATE INDEX promotions_automatic_live ON promotions (priority DESC, created_at) WHERE deleted_at IS NULL AND code IS NULL;
CREATE INDEX promotions_listing ON promotions (id DESC);

CREATE TABLE customer_usage (
  promotion_id uuid NOT NULL REFERENCES promotions (id),
  customer_id uuid NOT NULL,
  uses integer NOT NULL,
  PRIMARY KEY (promotion_id, customer_id),
  CONSTRAINT customer_usage_non_negative CHECK (uses >= 0)
);

CREATE TABLE redemptions (
  promotion_id uuid NOT NULL REFERENCES promotions (id),
  order_id uuid NOT NULL,
  customer_id uuid,
  code text,
  discount bigint NOT NULL,
  currency text NOT NULL,
  -- The order's total after discounts: revenue the promotion influenced (PM-P1-02).
  order_total bigint NOT NULL,
  status text NOT NULL,
  release_reason text,
  reserved_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  released_at timestamptz,
  PRIMARY KEY (promotion_id, order_id),
  CONSTRAINT redemptions_status_valid CHECK (status IN ('reserved', 'confirmed', 'released')),
  CONSTRAINT redemptions_amounts CHECK (discount >= 0 AND order_total >= 0)
);
CREATE INDEX redemptions_order ON redemptions (order_id);

-- G6: the newest order sequence applied (platform/inbox/sequence-guard.ts).
CREATE TABLE order_sequences (
  order_id uuid PRIMARY KEY,
  sequence integer NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT order_sequences_positive CHECK (sequence >= 1)
);
