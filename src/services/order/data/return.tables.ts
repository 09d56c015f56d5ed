import type { ColumnType, Generated } from 'kysely';
import type { ReturnStatus, StepState } from '../domain/return-status.js';

/** Kysely types of the returns tables (data/migrations/0005_returns.sql). Column names as in SQL. */
export interface ReturnTables {
  returns: ReturnsTable;
  return_items: ReturnItemsTable;
}

type Timestamp = ColumnType<Date, Date, Date>;

export interface ReturnsTable {
  id: string;
  order_id: string;
  status: ReturnStatus;
  reason: string | null;
  reject_reason: Generated<string | null>;
  order_status_before: 'delivered' | 'partially_returned';
  currency: string;
  refund_amount: bigint;
  requested_by: string;
  decided_by: Generated<string | null>;
  received_by: Generated<string | null>;
  restock_state: Generated<StepState | null>;
  restock_attempts: Generated<number>;
  restock_last_error: Generated<string | null>;
  restocked_at: Generated<Date | null>;
  refund_state: Generated<StepState | null>;
  refund_attempts: Generated<number>;
  refund_last_error: Generated<string | null>;
  refund_refusals: Generated<number>;
  refund_id: Generated<string | null>;
  refunded_at: Generated<Date | null>;
  steps_next_at: Generated<Date | null>;
  step_claims: Generated<number>;
  requested_at: Timestamp;
  approved_at: Generated<Date | null>;
  rejected_at: Generated<Date | null>;
  received_at: Generated<Date | null>;
  completed_at: Generated<Date | null>;
  updated_at: Timestamp;
}

export interface ReturnItemsTable {
  return_id: string;
  order_item_id: string;
  sku: string;
  warehouse_id: string;
  quantity: number;
  unit_price: bigint;
}
