-- Pricing: prices with full history, override audit, exchange rates with history, tax rates.
-- Runs with search_path set to the pricing schema.

-- One row per (sku, currency) ever priced. Writers lock these rows (sorted, FOR UPDATE) so two
-- concurrent changes of the same series never plan against the same old state.
CREATE TABLE price_series (
  sku text NOT NULL,
  currency char(3) NOT NULL,
  PRIMARY KEY (sku, currency)
);

-- PR-P1-01: a price is never changed in place. A new price inserts a row and closes (sets
-- effective_to of) the row it replaces in the same transaction; amount and effective_from of a
-- stored row never change.
CREATE TABLE prices (
  id uuid PRIMARY KEY,
  sku text NOT NULL,
  currency char(3) NOT NULL,
  amount bigint NOT NULL,
  effective_from timestamptz NOT NULL,
  effective_to timestamptz,
  source text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT prices_series_fk FOREIGN KEY (sku, currency) REFERENCES price_series (sku, currency),
  CONSTRAINT prices_sku_format CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),
  CONSTRAINT prices_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT prices_amount_non_negative CHECK (amount >= 0),
  CONSTRAINT prices_window_valid CHECK (effective_to IS NULL OR effective_to > effective_from),
  CONSTRAINT prices_source_valid CHECK (source IN ('manual', 'bulk', 'override'))
);

-- Current/upcoming prices of many skus (quote) and the history of one sku, newest first.
CREATE INDEX prices_sku_currency_window_idx ON prices (sku, currency, effective_from);
CREATE INDEX prices_sku_id_idx ON prices (sku, id);

-- Overlapping windows of one series are refused by the database too (the application plans
-- around them; this is the last line of defence). An exclusion constraint would need btree_gist,
-- which the embedded database does not load, so a trigger checks the same condition.
CREATE FUNCTION prices_refuse_overlap() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM prices p
    WHERE p.sku = NEW.sku AND p.currency = NEW.currency AND p.id <> NEW.id
      AND tstzrange(p.effective_from, p.effective_to) && tstzrange(NEW.effective_from, NEW.effective_to)
  ) THEN
    RAISE EXCEPTION 'price window of % % overlaps another price', NEW.sku, NEW.currency
      USING ERRCODE = 'exclusion_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER prices_no_overlap AFTER INSERT OR UPDATE ON prices
FOR EACH ROW EXECUTE FUNCTION prices_refuse_overlap();

-- PR-P1-03: every override (who, when, why, old and new amount).
CREATE TABLE price_overrides (
  id uuid PRIMARY KEY,
  price_id uuid NOT NULL REFERENCES prices (id),
  sku text NOT NULL,
  currency char(3) NOT NULL,
  old_amount bigint,
  new_amount bigint NOT NULL,
  effective_from timestamptz NOT NULL,
  -- Which rules made it an override (domain/price-change.ts): backdated, free.
  conditions text[] NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT price_overrides_reason_length CHECK (char_length(reason) BETWEEN 1 AND 500)
);
CREATE INDEX price_overrides_sku_created_at_idx ON price_overrides (sku, created_at);

-- PR-P0-02: rates with the time they were valid at the source; every fetch is kept (history).
CREATE TABLE exchange_rates (
  id uuid PRIMARY KEY,
  base char(3) NOT NULL,
  quote char(3) NOT NULL,
  -- Exact decimal, never a float: conversion reads it back as text into a fraction.
  rate numeric NOT NULL,
  fetched_at timestamptz NOT NULL,
  source text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT exchange_rates_base_format CHECK (base ~ '^[A-Z]{3}$'),
  CONSTRAINT exchange_rates_quote_format CHECK (quote ~ '^[A-Z]{3}$'),
  CONSTRAINT exchange_rates_distinct_pair CHECK (base <> quote),
  CONSTRAINT exchange_rates_rate_positive CHECK (rate > 0),
  -- A refresh of an unchanged source stores nothing new.
  CONSTRAINT exchange_rates_fetch_unique UNIQUE (base, quote, source, fetched_at)
);
CREATE INDEX exchange_rates_pair_fetched_at_idx ON exchange_rates (base, quote, fetched_at DESC);

CREATE TABLE tax_rates (
  country char(2) PRIMARY KEY,
  rate_bps integer NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT tax_rates_country_format CHECK (country ~ '^[A-Z]{2}$'),
  CONSTRAINT tax_rates_rate_range CHECK (rate_bps BETWEEN 0 AND 10000)
);
