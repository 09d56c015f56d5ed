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
  restocks: RestocksTable;
}

/** 0003: one row per restock reference (idempotency of `WarehouseClient.restock`). */
export interface RestocksTable {
  reference: string;
  items: ColumnType<RestockItem[], string, never>;
  actor: string;
  created_at: Date;
}

export interface RestockItem {
  warehouseId: string;
  sku: string;
  quantity: number;
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
  | 'restock'
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

/** How a reservation item ended (0003): its units shipped, or went back to available. */
export type ItemSettlement = 'fulfilled' | 'released';

export interface ReservationItemsTable {
  reservation_id: string;
  warehouse_id: string;
  sku: string;
  quantity: number;
  /** 0003: null while the item still holds its units (counted in `reserved`). */
  settled: ColumnType<ItemSettlement | null, ItemSettlement | null | undefined, ItemSettlement | null>;
  settled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface CapacityUsageTable {
  warehouse_id: string;
  day: ColumnType<string, string, string>;
  units: number;
  capacity: number;
}
