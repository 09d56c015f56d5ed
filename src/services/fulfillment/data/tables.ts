import type { ColumnType } from 'kysely';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';

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
}

export type PackageStatus = 'open' | 'packed' | 'ready_to_ship' | 'shipped' | 'cancelled';

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
