import type { ColumnType } from 'kysely';

/** Kysely types of the shipping schema (data/migrations). Column names as in SQL. */
export interface ShippingDB {
  shipping_options: ShippingOptionsTable;
}

type Timestamp = ColumnType<Date, Date | undefined, Date>;

export interface ShippingOptionsTable {
  id: string;
  name: string;
  carrier: 'simcarrier' | 'manual';
  kind: 'flat' | 'weight';
  base_amount: bigint;
  per_kg_amount: bigint;
  currency: string;
  free_over_amount: bigint | null;
  countries: string[];
  max_weight_grams: number | null;
  min_days: number;
  max_days: number;
  active: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}
