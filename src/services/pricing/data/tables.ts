import type { ColumnType } from 'kysely';
import type { PriceSource } from '../domain/price-change.js';

/** Kysely types of the pricing schema (data/migrations). Column names as in SQL. */
export interface PricingDB {
  price_series: PriceSeriesTable;
  prices: PricesTable;
  price_overrides: PriceOverridesTable;
  exchange_rates: ExchangeRatesTable;
  tax_rates: TaxRatesTable;
}

type Timestamp = ColumnType<Date, Date, Date>;

export interface PriceSeriesTable {
  sku: string;
  currency: string;
}

export interface PricesTable {
  id: string;
  sku: string;
  currency: string;
  amount: bigint;
  effective_from: Timestamp;
  effective_to: Timestamp | null;
  source: PriceSource;
  created_by: string;
  created_at: Timestamp;
}

export interface PriceOverridesTable {
  id: string;
  price_id: string;
  sku: string;
  currency: string;
  old_amount: bigint | null;
  new_amount: bigint;
  effective_from: Timestamp;
  conditions: string[];
  reason: string;
  actor: string;
  created_at: Timestamp;
}

export interface ExchangeRatesTable {
  id: string;
  base: string;
  quote: string;
  /** numeric: written as a decimal string, read back with `rate::text`. */
  rate: ColumnType<string, string, never>;
  fetched_at: Timestamp;
  source: string;
  created_by: string;
  created_at: Timestamp;
}

export interface TaxRatesTable {
  country: string;
  rate_bps: number;
  updated_by: string;
  updated_at: Timestamp;
}
