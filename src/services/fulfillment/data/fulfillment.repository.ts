import type { Kysely, Selectable, Transaction } from 'kysely';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';
import type { FulfillmentDB, FulfillmentsTable, PackageStatus, PackagesTable, StockItem } from './tables.js';

export type FulfillmentRow = Selectable<FulfillmentsTable>;
export type PackageRow = Selectable<PackagesTable>;
type Db = Kysely<FulfillmentDB> | Transaction<FulfillmentDB>;

export interface NewFulfillment {
  id: string;
  orderId: string;
  warehouseId: string;
  items: StockItem[];
  slaDueAt: Date;
  /** The carrier of the order's shipping method (null: not named). */
  carrier: string | null;
}

export interface ListFilter {
  orderId?: string | undefined;
  status?: FulfillmentStatus | undefined;
  warehouseId?: string | undefined;
  beforeId?: string | undefined;
  limit: number;
}

export interface NewPackage {
  id: string;
  weightGrams: number;
  lengthMm: number | null;
  widthMm: number | null;
  heightMm: number | null;
}

/** Data access of the fulfillment schema; every query is bounded by a key, an id list or a limit. */
export const fulfillmentRepository = {
  find: (db: Db, id: string) =>
    db.selectFrom('fulfillments').selectAll().where('id', '=', id).executeTakeFirst(),

  findMany: (db: Db, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([] as FulfillmentRow[])
      : db.selectFrom('fulfillments').selectAll().where('id', 'in', ids).execute(),

  /** Every fulfillment of the orders, locked in id order so concurrent writers of one order serialize. */
  lockOrders: (tx: Transaction<FulfillmentDB>, orderIds: readonly string[]) =>
    tx
      .selectFrom('fulfillments')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('id')
      .forUpdate()
      .execute(),

  /** FUL-P0-01: idempotent creation, a fulfillment that exists for (order, warehouse) is kept as is. */
  async insertIfAbsent(tx: Transaction<FulfillmentDB>, rows: readonly NewFulfillment[], now: Date) {
    if (rows.length === 0) return [];
    return tx
      .insertInto('fulfillments')
      .values(
        rows.map((r) => ({
          id: r.id,
          order_id: r.orderId,
          warehouse_id: r.warehouseId,
          status: 'pending' as const,
          items: JSON.stringify(r.items),
          picklist_id: null,
          sla_due_at: r.slaDueAt,
          sla_breached_at: null,
          carrier: r.carrier,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['order_id', 'warehouse_id']).doNothing())
      .returningAll()
      .execute();
  },

  /**
   * The conditional status change: only from the status the caller saw. Reaching `shipped` or
   * `completed` stamps its time in the same statement (auto-complete counts from shipped_at).
   */
  changeStatus: (
    tx: Transaction<FulfillmentDB>,
    id: string,
    from: FulfillmentStatus,
    to: FulfillmentStatus,
    now: Date,
    picklistId?: string,
  ) =>
    tx
      .updateTable('fulfillments')
      .set((eb) => ({
        status: to,
        updated_at: now,
        version: eb('version', '+', 1),
        ...(picklistId ? { picklist_id: picklistId } : {}),
        ...(to === 'shipped' ? { shipped_at: now } : {}),
        ...(to === 'completed' ? { completed_at: now } : {}),
      }))
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst(),

  list(db: Db, f: ListFilter) {
    let q = db.selectFrom('fulfillments').selectAll();
    if (f.orderId) q = q.where('order_id', '=', f.orderId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.warehouseId) q = q.where('warehouse_id', '=', f.warehouseId);
    if (f.beforeId) q = q.where('id', '<', f.beforeId);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  },

  packagesOf: (db: Db, fulfillmentIds: readonly string[]) =>
    fulfillmentIds.length === 0
      ? Promise.resolve([] as PackageRow[])
      : db
          .selectFrom('packages')
          .selectAll()
          .where('fulfillment_id', 'in', fulfillmentIds)
          .orderBy('id')
          .execute(),

  insertPackages: (
    tx: Transaction<FulfillmentDB>,
    fulfillmentId: string,
    rows: readonly NewPackage[],
    now: Date,
  ) =>
    tx
      .insertInto('packages')
      .values(
        rows.map((p) => ({
          id: p.id,
          fulfillment_id: fulfillmentId,
          status: 'packed' as const,
          weight_grams: p.weightGrams,
          length_mm: p.lengthMm,
          width_mm: p.widthMm,
          height_mm: p.heightMm,
          created_at: now,
          updated_at: now,
        })),
      )
      .returningAll()
      .execute(),

  findPackage: (db: Db, id: string) =>
    db.selectFrom('packages').selectAll().where('id', '=', id).executeTakeFirst(),

  /** The fulfillment's packages, locked (after its fulfillment row: the order every writer takes). */
  lockPackages: (tx: Transaction<FulfillmentDB>, fulfillmentId: string) =>
    tx
      .selectFrom('packages')
      .selectAll()
      .where('fulfillment_id', '=', fulfillmentId)
      .orderBy('id')
      .forUpdate()
      .execute(),

  /** ready_to_ship → shipped, only from ready_to_ship (a repeat or a late event changes nothing). */
  shipPackage: (tx: Transaction<FulfillmentDB>, id: string, now: Date) =>
    tx
      .updateTable('packages')
      .set({ status: 'shipped', shipped_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'ready_to_ship')
      .returningAll()
      .executeTakeFirst(),

  /** Records the delivery of a shipped package once. */
  deliverPackage: (tx: Transaction<FulfillmentDB>, id: string, now: Date) =>
    tx
      .updateTable('packages')
      .set({ delivered_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'shipped')
      .where('delivered_at', 'is', null)
      .returningAll()
      .executeTakeFirst(),

  /** Moves the fulfillment's packages that are in one of `from` to `to`; returns them with their old status. */
  async movePackages(
    tx: Transaction<FulfillmentDB>,
    fulfillmentId: string,
    from: readonly PackageStatus[],
    to: PackageStatus,
    now: Date,
  ) {
    const before = await tx
      .selectFrom('packages')
      .selectAll()
      .where('fulfillment_id', '=', fulfillmentId)
      .where('status', 'in', from)
      .orderBy('id')
      .forUpdate()
      .execute();
    if (before.length === 0) return [];
    await tx
      .updateTable('packages')
      .set({ status: to, updated_at: now })
      .where(
        'id',
        'in',
        before.map((p) => p.id),
      )
      .execute();
    return before;
  },
};
