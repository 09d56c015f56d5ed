import type { ColumnType } from 'kysely';
import type { ReservationStatus } from '../contract/client.js';
import type { Address, WarehouseStatus } from '../domain/warehouse.js';

/** Kysely types of the warehouse schema (data/migrations). Column names as in SQL. */
export interface WarehouseDB {
  warehouses: WarehousesTable;
  stock: StockTable;
  inventory_ledger: InventoryLedgerTable;
  reservations: ReservationsTable;
  reservation_items: ReservationItemsTable;
  capacity_usage: CapacityUsageTable;
  order_sequences: OrderSequencesTable;
}

/** 0002: last applied orders.order.status_changed sequence per order (G6). */
export interface OrderSequencesTable {
  order_id: string;
  sequence: number;
  updated_at: Date;
}

type Timestamp = ColumnType<Date, Date, Date>;
/** numeric: read as text by both drivers, written as a number. */
type Numeric = ColumnType<string, number, number>;

export interface WarehousesTable {
  id: string;
  code: string;
  name: string;
  capacity_per_day: number;
  address: ColumnType<Address, string, string>;
  lat: Numeric;
  lng: Numeric;
  status: WarehouseStatus;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StockTable {
  warehouse_id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  low_stock_threshold: number | null;
  version: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export interface InventoryLedgerTable {
  id: string;
  warehouse_id: string;
  sku: string;
  delta_on_hand: number;
  delta_reserved: number;
  reason: LedgerReason;
  reference: string | null;
  note: string | null;
  actor: string;
  created_at: Timestamp;
}

export type LedgerReason =
  | 'set'
  | 'adjust'
  | 'import'
  | 'reserve'
  | 'release'
  | 'expire'
  | 'fulfil'
  | 'reconciliation';

export interface ShipToJson {
  country: string;
  postalCode: string;
  location?: { lat: number; lng: number } | undefined;
}

export interface ReservationsTable {
  id: string;
  reference: string;
  order_id: string;
  status: ReservationStatus;
  expires_at: Timestamp;
  /** date: written and read as 'YYYY-MM-DD' text (cast in SQL). */
  capacity_day: ColumnType<string, string, string>;
  ship_to: ColumnType<ShipToJson, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReservationItemsTable {
  reservation_id: string;
  warehouse_id: string;
  sku: string;
  quantity: number;
}

export interface CapacityUsageTable {
  warehouse_id: string;
  day: ColumnType<string, string, string>;
  units: number;
  capacity: number;
}
