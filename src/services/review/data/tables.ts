import type { ColumnType, Selectable } from 'kysely';
import type { ReviewStatus } from '../domain/review-status.js';
import type { ScreeningReason } from '../domain/screening.js';

/** Kysely types of the review schema (data/migrations). */
export interface ReviewDB {
  purchases: PurchasesTable;
  erased_customers: { customer_id: string; erased_at: Date };
  reviews: ReviewsTable;
}

export interface PurchasesTable {
  customer_id: string;
  product_id: string;
  order_id: string;
  delivered_at: Date;
}

export interface ReviewsTable {
  id: string;
  product_id: string;
  customer_id: string | null;
  author_name: string | null;
  verified_purchase: boolean;
  rating: number;
  title: string;
  body: string;
  status: ReviewStatus;
  /** jsonb: read as an array, written as JSON text. */
  screening: ColumnType<ScreeningReason[], string, string>;
  moderated_by: string | null;
  moderation_reason: string | null;
  moderated_at: Date | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export type ReviewRow = Selectable<ReviewsTable>;
