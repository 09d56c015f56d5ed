import type { ColumnType } from 'kysely';
import type { OrderSequencesTable } from '../../../platform/inbox/sequence-guard.js';
import type { PromotionType } from '../domain/promotion.js';

/** Kysely types of the promotion schema (data/migrations). Column names as in SQL. */
export interface PromotionDB {
  promotions: PromotionsTable;
  customer_usage: CustomerUsageTable;
  redemptions: RedemptionsTable;
  order_sequences: OrderSequencesTable['order_sequences'];
}

/** jsonb: read as a value, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** Conditions as stored: amounts as digit strings (JSON has no bigint). */
export interface StoredConditions {
  minSubtotal?: string;
  skus?: string[];
  categories?: string[];
  segments?: string[];
  firstOrder?: boolean;
}

export interface PromotionsTable {
  id: string;
  code: string | null;
  name: string;
  type: PromotionType;
  value: bigint;
  currency: string | null;
  buy_quantity: number | null;
  get_quantity: number | null;
  conditions: Json<StoredConditions>;
  usage_limit: number | null;
  per_customer_limit: number | null;
  budget: bigint | null;
  starts_at: Date | null;
  ends_at: Date | null;
  stackable: boolean;
  priority: number;
  uses: Defaulted<number>;
  discount_used: Defaulted<bigint>;
  version: Defaulted<number>;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface CustomerUsageTable {
  promotion_id: string;
  customer_id: string;
  uses: number;
}

export type RedemptionStatus = 'reserved' | 'confirmed' | 'released';

export interface RedemptionsTable {
  promotion_id: string;
  order_id: string;
  customer_id: string | null;
  code: string | null;
  discount: bigint;
  currency: string;
  order_total: bigint;
  status: RedemptionStatus;
  release_reason: string | null;
  reserved_at: Date;
  confirmed_at: Date | null;
  released_at: Date | null;
}
