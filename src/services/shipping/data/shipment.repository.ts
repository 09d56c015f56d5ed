import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import {
  BOOKING_STATUSES,
  type ShipmentStatus,
  sourcesOf,
  TRACKED_STATUSES,
} from '../domain/shipment-status.js';
import type { ShipmentEventSource, ShipmentEventsTable, ShipmentsTable, ShippingDB } from './tables.js';

export type ShipmentRow = Selectable<ShipmentsTable>;
export type ShipmentEventRow = Selectable<ShipmentEventsTable>;
export type ShipmentChanges = Omit<Updateable<ShipmentsTable>, 'id' | 'status' | 'version' | 'updated_at'>;
type Db = Kysely<ShippingDB> | Transaction<ShippingDB>;

export interface NewShipment {
  id: string;
  orderId: string;
  fulfillmentId: string | null;
  packageId: string | null;
  warehouseId: string | null;
  carrier: string;
  status: ShipmentStatus;
  weightGrams: number | null;
  nextAttemptAt: Date | null;
}

export interface ListFilter {
  orderId?: string | undefined;
  status?: ShipmentStatus | undefined;
  beforeId?: string | undefined;
  limit: number;
}

/** PostgreSQL's unique_violation (pg and PGlite both expose the SQLSTATE as `code`). */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown }).code === '23505';

/** Data access of the shipments tables; every query is bounded by a key, an id list or a limit. */
export const shipmentRepository = {
  find: (db: Db, id: string) =>
    db.selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst(),

  findByTracking: (db: Db, carrier: string, trackingNumber: string) =>
    db
      .selectFrom('shipments')
      .selectAll()
      .where('carrier', '=', carrier)
      .where('tracking_number', '=', trackingNumber)
      .executeTakeFirst(),

  findByPackage: (db: Db, packageId: string) =>
    db.selectFrom('shipments').selectAll().where('package_id', '=', packageId).executeTakeFirst(),

  /** Every shipment of the order, locked in id order, so concurrent writers of one order serialize. */
  lockOrder: (tx: Transaction<ShippingDB>, orderId: string) =>
    tx
      .selectFrom('shipments')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('id')
      .forUpdate()
      .execute(),

  forOrder: (db: Db, orderId: string) =>
    db.selectFrom('shipments').selectAll().where('order_id', '=', orderId).orderBy('id').execute(),

  /** Idempotent creation: a package that has a shipment keeps it (redelivered ready_to_ship). */
  insertIfAbsent: (tx: Transaction<ShippingDB>, s: NewShipment, now: Date) =>
    tx
      .insertInto('shipments')
      .values({
        id: s.id,
        order_id: s.orderId,
        fulfillment_id: s.fulfillmentId,
        package_id: s.packageId,
        warehouse_id: s.warehouseId,
        carrier: s.carrier,
        status: s.status,
        weight_grams: s.weightGrams,
        next_attempt_at: s.nextAttemptAt,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('package_id').doNothing())
      .returningAll()
      .executeTakeFirst(),

  /**
   * THE status change: conditional on the status table (`status IN` the allowed sources) and on
   * the version the caller saw, so a writer that lost a race changes nothing. The version counts
   * status changes only; `carrier_pending → carrier_pending` (a booking retry) keeps it.
   */
  changeStatus: (
    tx: Transaction<ShippingDB>,
    seen: ShipmentRow,
    to: ShipmentStatus,
    changes: ShipmentChanges,
    now: Date,
  ) =>
    tx
      .updateTable('shipments')
      .set({
        ...changes,
        status: to,
        version: seen.status === to ? seen.version : seen.version + 1,
        updated_at: now,
      })
      .where('id', '=', seen.id)
      .where('status', 'in', sourcesOf(to))
      .where('version', '=', seen.version)
      .returningAll()
      .executeTakeFirst(),

  /** Bookkeeping that is no status change (booking and cancel retries), conditional on the version seen. */
  async update(db: Db, seen: ShipmentRow, changes: ShipmentChanges, now: Date): Promise<boolean> {
    const res = await db
      .updateTable('shipments')
      .set({ ...changes, updated_at: now })
      .where('id', '=', seen.id)
      .where('version', '=', seen.version)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  },

  insertEvent: (
    tx: Transaction<ShippingDB>,
    e: {
      id: string;
      shipmentId: string;
      status: ShipmentStatus;
      note: string | null;
      source: ShipmentEventSource;
      occurredAt: Date;
    },
    now: Date,
  ) =>
    tx
      .insertInto('shipment_events')
      .values({
        id: e.id,
        shipment_id: e.shipmentId,
        status: e.status,
        note: e.note,
        source: e.source,
        occurred_at: e.occurredAt,
        recorded_at: now,
      })
      .execute(),

  eventsOf: (db: Db, shipmentIds: readonly string[]) =>
    shipmentIds.length === 0
      ? Promise.resolve([] as ShipmentEventRow[])
      : db
          .selectFrom('shipment_events')
          .selectAll()
          .where('shipment_id', 'in', shipmentIds)
          .orderBy('occurred_at')
          .orderBy('id')
          .execute(),

  /**
   * Claims due bookings: takes a lease (next_attempt_at pushed to `leaseUntil`) and counts the
   * attempt in one statement. Rows another claimer holds are skipped (SKIP LOCKED), and the
   * `next_attempt_at <= now` condition is re-checked on the locked row, so a kick and the job (or
   * two replicas) never book the same shipment at once.
   */
  claimBookings: (db: Db, now: Date, leaseUntil: Date, limit: number, id?: string) =>
    db
      .updateTable('shipments')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil, updated_at: now }))
      .where('id', 'in', (eb) => {
        let q = eb
          .selectFrom('shipments')
          .select('id')
          .where('status', 'in', BOOKING_STATUSES)
          .where('next_attempt_at', '<=', now);
        if (id) q = q.where('id', '=', id);
        return q.orderBy('next_attempt_at').orderBy('id').limit(limit).forUpdate().skipLocked();
      })
      .where('status', 'in', BOOKING_STATUSES)
      .where('next_attempt_at', '<=', now)
      .returningAll()
      .execute(),

  /** Claims due carrier cancellations the same way. */
  claimCancels: (db: Db, now: Date, leaseUntil: Date, limit: number, id?: string) =>
    db
      .updateTable('shipments')
      .set((eb) => ({
        cancel_attempts: eb('cancel_attempts', '+', 1),
        cancel_next_at: leaseUntil,
        updated_at: now,
      }))
      .where('id', 'in', (eb) => {
        let q = eb
          .selectFrom('shipments')
          .select('id')
          .where('cancel_state', '=', 'pending')
          .where('cancel_next_at', '<=', now);
        if (id) q = q.where('id', '=', id);
        return q.orderBy('cancel_next_at').orderBy('id').limit(limit).forUpdate().skipLocked();
      })
      .where('cancel_state', '=', 'pending')
      .where('cancel_next_at', '<=', now)
      .returningAll()
      .execute(),

  /** One page of shipments the tracking poll asks their carrier about, in id order. */
  trackedPage: (db: Db, carriers: readonly string[], afterId: string | undefined, limit: number) => {
    let q = db
      .selectFrom('shipments')
      .selectAll()
      .where('status', 'in', TRACKED_STATUSES)
      .where('tracking_number', 'is not', null)
      .where('carrier', 'in', carriers);
    if (afterId) q = q.where('id', '>', afterId);
    return q.orderBy('id').limit(limit).execute();
  },

  /** Admin list, newest first (UUIDv7 ids), keyset on the id. */
  list: (db: Db, f: ListFilter) => {
    let q = db.selectFrom('shipments').selectAll();
    if (f.orderId) q = q.where('order_id', '=', f.orderId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.beforeId) q = q.where('id', '<', f.beforeId);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  },
};
