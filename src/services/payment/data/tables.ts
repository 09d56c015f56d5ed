import type { ColumnType, Generated } from 'kysely';
import type { PaymentMethod, PaymentStatus } from '../contract/client.js';

/** Kysely types of the payment schema (data/migrations). Column names as in SQL. */
export interface PaymentDB {
  payments: PaymentsTable;
  payment_operations: PaymentOperationsTable;
  webhook_events: WebhookEventsTable;
  testpay_charges: TestpayChargesTable;
  testpay_requests: TestpayRequestsTable;
  order_settlements: OrderSettlementsTable;
}

/** 0002: payments of cancelled orders still to void or refund (app/settle-cancelled-order.ts). */
export interface OrderSettlementsTable {
  order_id: string;
  reason: string | null;
  status: Generated<'pending' | 'settled' | 'compensating'>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

type Timestamp = ColumnType<Date, Date, Date>;
/** jsonb: read as a value, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

export interface PaymentsTable {
  id: string;
  order_id: string;
  provider: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: bigint;
  currency: string;
  captured_amount: Generated<bigint>;
  refunded_amount: Generated<bigint>;
  provider_ref: string | null;
  idempotency_key: string;
  failure_code: string | null;
  failure_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export type OperationKind = 'authorize' | 'capture' | 'void' | 'refund';
export type OperationStatus = 'in_progress' | 'succeeded' | 'failed' | 'unknown';

export interface PaymentOperationsTable {
  id: string;
  payment_id: string;
  kind: OperationKind;
  idempotency_key: string;
  amount: bigint;
  status: OperationStatus;
  provider_ref: string | null;
  error: string | null;
  attempts: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type WebhookEventStatus = 'in_progress' | 'completed' | 'failed';

export interface WebhookEventsTable {
  id: string;
  provider: string;
  provider_event_id: string;
  event_type: string;
  request_hash: string;
  status: WebhookEventStatus;
  response: Json<Record<string, unknown> | null> | null;
  error: string | null;
  received_at: Timestamp;
  updated_at: Timestamp;
}

export type TestpayChargeStatus =
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'failed';

export interface TestpayChargesTable {
  id: string;
  authorize_key: string;
  order_id: string;
  token: string;
  amount: bigint;
  currency: string;
  status: TestpayChargeStatus;
  captured_amount: Generated<bigint>;
  refunded_amount: Generated<bigint>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TestpayRequestsTable {
  operation: string;
  idempotency_key: string;
  response: Json<Record<string, unknown>>;
  hits: Generated<number>;
  created_at: Timestamp;
}
