import type { Kysely, Transaction, Updateable } from 'kysely';
import { afterKeyset, type Keyset } from '../../../platform/db/keyset.js';
import type { OrderPaymentStatus, OrderStatus } from '../domain/order-status.js';
import type { OrderRow } from './order.repository.js';
import type { OrderDB, OrdersTable } from './tables.js';

type Db = Kysely<OrderDB> | Transaction<OrderDB>;
type Tx = Transaction<OrderDB>;

/**
 * Writes of the order lifecycle. Every status change is ONE conditional UPDATE on the status and
 * sequence that were read (`WHERE status = $expected AND sequence = $seen`) — never a
 * read-modify-write — so of two concurrent writers exactly one moves the order (G6).
 */
export const lifecycleRepository = {
  async changeStatus(
    tx: Tx,
    seen: Pick<OrderRow, 'id' | 'status' | 'sequence'>,
    to: OrderStatus,
    set: Updateable<OrdersTable> & { updated_at: Date },
  ): Promise<OrderRow | undefined> {
    return tx
      .updateTable('orders')
      .set({ ...set, status: to, sequence: seen.sequence + 1 })
      .where('id', '=', seen.id)
      .where('status', '=', seen.status)
      .where('sequence', '=', seen.sequence)
      .returningAll()
      .executeTakeFirst();
  },

  /** Payment status only (no order status change, so no event and no new sequence). */
  async setPaymentStatus(
    tx: Tx,
    id: string,
    from: OrderPaymentStatus,
    to: OrderPaymentStatus,
    now: Date,
  ): Promise<boolean> {
    const r = await tx
      .updateTable('orders')
      .set({ payment_status: to, updated_at: now })
      .where('id', '=', id)
      .where('payment_status', '=', from)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  /** orders.payment.capture_requested: schedule the first try now (only once per order). */
  async armCapture(tx: Tx, id: string, now: Date): Promise<boolean> {
    const r = await tx
      .updateTable('orders')
      .set({ capture_state: 'scheduled', capture_next_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('payment_method', '=', 'card')
      .where('payment_status', '=', 'authorized')
      .where('capture_state', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  /**
   * Claims the next try: counts it and pushes the due time out by a lease, so a concurrent runner
   * (kick and job, two replicas) cannot take the same try, and a crash mid-call is retried after
   * the lease with the same idempotency key (G2).
   */
  async claimCaptureAttempt(
    db: Db,
    seen: OrderRow,
    now: Date,
    leaseUntil: Date,
  ): Promise<OrderRow | undefined> {
    return db
      .updateTable('orders')
      .set({ capture_attempts: seen.capture_attempts + 1, capture_next_at: leaseUntil, updated_at: now })
      .where('id', '=', seen.id)
      .where('status', '=', 'pending')
      .where('capture_state', '=', 'scheduled')
      .where('capture_attempts', '=', seen.capture_attempts)
      .where('capture_next_at', '<=', now)
      .returningAll()
      .executeTakeFirst();
  },

  async scheduleCaptureRetry(db: Db, id: string, attempt: number, at: Date, error: string, now: Date) {
    await db
      .updateTable('orders')
      .set({ capture_next_at: at, capture_last_error: error.slice(0, 2000), updated_at: now })
      .where('id', '=', id)
      .where('capture_state', '=', 'scheduled')
      .where('capture_attempts', '=', attempt)
      .execute();
  },

  /** The capture went through; confirmation follows from payments.payment.confirmed. */
  async markCaptured(db: Db, id: string, now: Date): Promise<void> {
    await db
      .updateTable('orders')
      .set({ capture_state: 'captured', capture_next_at: null, capture_last_error: null, updated_at: now })
      .where('id', '=', id)
      .where('capture_state', '=', 'scheduled')
      .execute();
  },

  async markCaptureFailed(db: Db, id: string, error: string, now: Date): Promise<void> {
    await db
      .updateTable('orders')
      .set({
        capture_state: 'failed',
        capture_next_at: null,
        capture_last_error: error.slice(0, 2000),
        updated_at: now,
      })
      .where('id', '=', id)
      .where('capture_state', '=', 'scheduled')
      .execute();
  },

  async markReservationReleased(db: Db, id: string, now: Date): Promise<void> {
    await db
      .updateTable('orders')
      .set({ reservation_released_at: now })
      .where('id', '=', id)
      .where('reservation_released_at', 'is', null)
      .execute();
  },

  // ---- bounded keyset pages for the jobs ----

  /** capture-retry: scheduled captures that are due. */
  dueCaptures(db: Db, now: Date, limit: number) {
    return db
      .selectFrom('orders')
      .select(['id'])
      .where('capture_state', '=', 'scheduled')
      .where('capture_next_at', '<=', now)
      .orderBy('capture_next_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** order-cleanup: pending orders past their payment window (COD has its own job). */
  pendingPastDue(db: Db, now: Date, after: Keyset | undefined, limit: number) {
    let q = db
      .selectFrom('orders')
      .selectAll()
      .where('status', '=', 'pending')
      .where('payment_method', '!=', 'cod')
      .where('payment_due_at', '<', now);
    if (after) q = q.where(afterKeyset('payment_due_at', after));
    return q.orderBy('payment_due_at').orderBy('id').limit(limit).execute();
  },

  /** cod-confirmation: pending COD orders created before / at or after `boundary`. */
  pendingCod(db: Db, side: 'before' | 'since', boundary: Date, after: Keyset | undefined, limit: number) {
    let q = db
      .selectFrom('orders')
      .selectAll()
      .where('status', '=', 'pending')
      .where('payment_method', '=', 'cod')
      .where('created_at', side === 'before' ? '<' : '>=', boundary);
    if (after) q = q.where(afterKeyset('created_at', after));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  },

  /** reservation-cleanup: cancelled before `before` and the release not yet confirmed. */
  cancelledUnreleased(db: Db, before: Date, after: Keyset | undefined, limit: number) {
    let q = db
      .selectFrom('orders')
      .select(['id', 'reservation_id', 'cancelled_at'])
      .where('status', '=', 'cancelled')
      .where('reservation_released_at', 'is', null)
      .where('cancelled_at', '<', before);
    if (after) q = q.where(afterKeyset('cancelled_at', after));
    return q.orderBy('cancelled_at').orderBy('id').limit(limit).execute();
  },

  /** cart-cleanup: marks one bounded batch of carts untouched since `before` as abandoned. */
  async abandonCarts(db: Db, before: Date, limit: number, now: Date): Promise<number> {
    const ids = db
      .selectFrom('carts')
      .select('id')
      .where('status', '=', 'active')
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit);
    const r = await db
      .updateTable('carts')
      .set((eb) => ({ status: 'abandoned', version: eb('version', '+', 1), updated_at: now }))
      .where('id', 'in', ids)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
};
