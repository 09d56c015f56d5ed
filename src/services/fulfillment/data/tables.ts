import type { ColumnType } from 'kysely';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';
import type { PackageStatus } from '../domain/package-progress.js';

export type { PackageStatus } from '../domain/package-progress.js';

/** Kysely types of the fulfillment schema (data/migrations). Column names as in SQL. */
export interface FulfillmentDB {
  fulfillments: FulfillmentsTable;
  packages: PackagesTable;
  picklists: PicklistsTable;
  picklist_items: PicklistItemsTable;
  order_sequences: OrderSequencesTable;
}

type Timestamp = ColumnType<Date, Date, Date>;

export interface StockItem {
  sku: string;
  quantity: number;
}

export interface FulfillmentsTable {
  id: string;
  order_id: string;
  warehouse_id: string;
  status: FulfillmentStatus;
  /** jsonb: read as an array, written as JSON text. */
  items: ColumnType<StockItem[], string, never>;
  picklist_id: string | null;
  sla_due_at: Timestamp;
  sla_breached_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: ColumnType<number, number | undefined, number>;
  /** 0002: the carrier of the order's shipping method; null when the order did not name one. */
  carrier: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0002: set by the move to `shipped` / `completed` (auto-complete counts from shipped_at). */
  shipped_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  completed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface PackagesTable {
  id: string;
  fulfillment_id: string;
  status: PackageStatus;
  weight_grams: number;
  length_mm: number | null;
  width_mm: number | null;
  height_mm: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0002: when the carrier had it (its shipment reached in_transit or later) and when delivered. */
  shipped_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  delivered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type PicklistStatus = 'open' | 'picking' | 'picked' | 'cancelled';

export interface PicklistsTable {
  id: string;
  status: PicklistStatus;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PicklistItemsTable {
  picklist_id: string;
  fulfillment_id: string;
}

export interface OrderSequencesTable {
  order_id: string;
  sequence: number;
  updated_at: Date;
}
