import type { ColumnType } from 'kysely';

/** Kysely types of the analytics schema (data/migrations). Column names as in SQL. */
export interface AnalyticsDB {
  events: EventsTable;
  order_facts: OrderFactsTable;
  payment_facts: PaymentFactsTable;
  fulfillment_steps: FulfillmentStepsTable;
  shipment_steps: ShipmentStepsTable;
  return_steps: ReturnStepsTable;
  products: ProductsTable;
  customers: CustomersTable;
  metric_buckets: MetricBucketsTable;
  reconciliation_results: ReconciliationResultsTable;
  backfills: BackfillsTable;
  backfill_sources: BackfillSourcesTable;
}

type Timestamp = ColumnType<Date, Date, Date>;
/** bigint columns: read as strings by both drivers' defaults is avoided by casting in queries. */
type Int8 = ColumnType<string | number | bigint, string | number | bigint, string | number | bigint>;
type Json<T> = ColumnType<T, string, string>;

export interface EventsTable {
  id: string;
  topic: string;
  source: string;
  subject: string | null;
  occurred_at: Timestamp;
  received_at: Timestamp;
  trace_id: string | null;
  schema_version: string;
  session_id: string | null;
  customer_key: string | null;
  order_id: string | null;
  product_id: string | null;
  ip_masked: string | null;
  user_agent_hash: string | null;
  data: Json<Record<string, unknown>>;
}

export interface OrderItemFact {
  sku: string;
  productId?: string | undefined;
  quantity: number;
  unitPrice?: { amount: string; currency: string } | undefined;
}

export interface OrderFactsTable {
  order_id: string;
  sequence: number;
  status: string;
  customer_key: string | null;
  total_amount: Int8;
  currency: string;
  items: Json<OrderItemFact[]>;
  placed_at: Timestamp;
  status_at: Timestamp;
  updated_at: Timestamp;
}

export type PaymentFactKind = 'authorized' | 'captured' | 'failed' | 'voided' | 'refunded';
export interface PaymentFactsTable {
  id: string;
  order_id: string;
  payment_id: string;
  kind: PaymentFactKind;
  amount: Int8;
  currency: string;
  method: string | null;
  occurred_at: Timestamp;
}

export interface FulfillmentStepsTable {
  fulfillment_id: string;
  status: string;
  order_id: string;
  warehouse_id: string;
  occurred_at: Timestamp;
}

export interface ShipmentStepsTable {
  shipment_id: string;
  version: number;
  status: string;
  order_id: string;
  carrier: string;
  occurred_at: Timestamp;
}

export interface ReturnStepsTable {
  return_id: string;
  status: string;
  order_id: string;
  refund_amount: Int8 | null;
  currency: string | null;
  units: number;
  occurred_at: Timestamp;
}

export interface ProductsTable {
  product_id: string;
  sku: string;
  category: string | null;
  status: string;
  version: number;
  updated_at: Timestamp;
}

export interface CustomersTable {
  customer_key: string;
  registered_at: Date | null;
  status: string;
  erased_at: Date | null;
}

export interface MetricBucketsTable {
  granularity: 'hour' | 'day';
  bucket_start: Timestamp;
  metric: string;
  dimension: string;
  currency: string;
  value: Int8;
  computed_at: Timestamp;
}

export interface ReconciliationResultsTable {
  day: ColumnType<string, string, string>;
  check_name: string;
  dimension: string;
  expected: Int8;
  actual: Int8;
  ok: boolean;
  computed_at: Timestamp;
}

export type BackfillStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface BackfillsTable {
  id: string;
  status: BackfillStatus;
  window_from: Timestamp;
  window_to: Timestamp;
  topics: Json<string[]>;
  requested_by: string;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface BackfillSourcesTable {
  backfill_id: string;
  source: string;
  topics: Json<string[]>;
  status: BackfillStatus;
  cursor: string | null;
  events_read: ColumnType<number, number | undefined, number>;
  ingested: ColumnType<number, number | undefined, number>;
  duplicates: ColumnType<number, number | undefined, number>;
  invalid: ColumnType<number, number | undefined, number>;
  error: string | null;
  updated_at: Timestamp;
}
