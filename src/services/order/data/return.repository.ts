import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { ReturnStatus } from '../domain/return-status.js';
import type { ReturnItemsTable, ReturnsTable } from './return.tables.js';
import type { OrderDB } from './tables.js';

type Db = Kysely<OrderDB> | Transaction<OrderDB>;
type Tx = Transaction<OrderDB>;
export type ReturnRow = Selectable<ReturnsTable>;
export type ReturnItemRow = Selectable<ReturnItemsTable>;

export interface ReturnFilter {
  status?: ReturnStatus | undefined;
  orderId?: string | undefined;
}

/**
 * Returns and their items. Status changes are conditional UPDATEs on the statuses the table allows
 * as sources (never read-modify-write); the step runner claims a return by pushing `steps_next_at`
 * out, so of two runners (kick and job, two replicas) exactly one holds it.
 */
export const returnRepository = {
  async insert(tx: Tx, row: Insertable<ReturnsTable>, items: Insertable<ReturnItemsTable>[]): Promise<void> {
    await tx.insertInto('returns').values(row).execute();
    await tx.insertInto('return_items').values(items).execute();
  },

  find(db: Db, id: string): Promise<ReturnRow | undefined> {
    return db.selectFrom('returns').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findOpen(db: Db, orderId: string): Promise<ReturnRow | undefined> {
    return db
      .selectFrom('returns')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('status', 'in', ['requested', 'approved', 'received'])
      .executeTakeFirst();
  },

  listItems(db: Db, returnId: string): Promise<ReturnItemRow[]> {
    return db
      .selectFrom('return_items')
      .selectAll()
      .where('return_id', '=', returnId)
      .orderBy('sku')
      .orderBy('warehouse_id')
      .execute();
  },

  /** Items of a page of returns in one statement (no N+1). */
  async listItemsOf(db: Db, returnIds: readonly string[]): Promise<ReturnItemRow[]> {
    if (returnIds.length === 0) return [];
    return db
      .selectFrom('return_items')
      .selectAll()
      .where('return_id', 'in', returnIds)
      .orderBy('return_id')
      .orderBy('sku')
      .orderBy('warehouse_id')
      .execute();
  },

  /** Units per order item taken back by the order's returns in `statuses`. */
  async returnedQuantities(db: Db, orderId: string, statuses: readonly ReturnStatus[]) {
    const rows = await db
      .selectFrom('return_items as i')
      .innerJoin('returns as r', 'r.id', 'i.return_id')
      .select(['i.order_item_id'])
      .select((eb) => eb.fn.sum<string | number | bigint>('i.quantity').as('quantity'))
      .where('r.order_id', '=', orderId)
      .where('r.status', 'in', [...statuses])
      .groupBy('i.order_item_id')
      .execute();
    return new Map(rows.map((r) => [r.order_item_id, Number(r.quantity)]));
  },

  /** Σ refund of the order's completed returns (for the exact last refund). */
  async refundedByCompleted(db: Db, orderId: string): Promise<bigint> {
    const row = await db
      .selectFrom('returns')
      .select((eb) => eb.fn.sum<string | number | bigint | null>('refund_amount').as('refunded'))
      .where('order_id', '=', orderId)
      .where('status', '=', 'completed')
      .executeTakeFirst();
    return BigInt(row?.refunded ?? 0);
  },

  /** One conditional move: only from `from` (the table's sources for `to`). */
  changeStatus(
    tx: Tx,
    id: string,
    from: readonly ReturnStatus[],
    to: ReturnStatus,
    set: Updateable<ReturnsTable> & { updated_at: Date },
  ): Promise<ReturnRow | undefined> {
    return tx
      .updateTable('returns')
      .set({ ...set, status: to })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .returningAll()
      .executeTakeFirst();
  },

  /**
   * Claims the due steps of a received return: pushes the due time out by a lease and counts the
   * claim. A concurrent claim re-checks `steps_next_at <= now` after the first commits and finds
   * nothing; a runner that crashed is replaced after the lease.
   */
  claimSteps(db: Db, seen: ReturnRow, now: Date, leaseUntil: Date): Promise<ReturnRow | undefined> {
    return db
      .updateTable('returns')
      .set({ steps_next_at: leaseUntil, step_claims: seen.step_claims + 1, updated_at: now })
      .where('id', '=', seen.id)
      .where('status', '=', 'received')
      .where('step_claims', '=', seen.step_claims)
      .where('steps_next_at', '<=', now)
      .returningAll()
      .executeTakeFirst();
  },

  async markRestocked(db: Db, id: string, now: Date): Promise<void> {
    await db
      .updateTable('returns')
      .set({ restock_state: 'done', restocked_at: now, restock_last_error: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .where('restock_state', '=', 'pending')
      .execute();
  },

  /** The refund went through (step runner or payments.refund.completed, whichever is first). */
  async markRefunded(db: Db, id: string, refundId: string, now: Date): Promise<boolean> {
    const r = await db
      .updateTable('returns')
      .set({
        refund_state: 'done',
        refund_id: refundId,
        refunded_at: now,
        refund_last_error: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .where('refund_state', '=', 'pending')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  /** Failed tries: counts and backs off, only while this runner's claim is still the latest. */
  async scheduleRetry(
    db: Db,
    claimed: ReturnRow,
    set: Pick<
      Updateable<ReturnsTable>,
      'restock_attempts' | 'restock_last_error' | 'refund_attempts' | 'refund_last_error' | 'refund_refusals'
    >,
    nextAt: Date,
    now: Date,
  ): Promise<void> {
    await db
      .updateTable('returns')
      .set({ ...set, steps_next_at: nextAt, updated_at: now })
      .where('id', '=', claimed.id)
      .where('status', '=', 'received')
      .where('step_claims', '=', claimed.step_claims)
      .execute();
  },

  /** received → completed once both steps are done; undefined when not (yet) or already done. */
  completeIfStepsDone(tx: Tx, id: string, now: Date): Promise<ReturnRow | undefined> {
    return tx
      .updateTable('returns')
      .set({ status: 'completed', completed_at: now, steps_next_at: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .where('restock_state', '=', 'done')
      .where('refund_state', '=', 'done')
      .returningAll()
      .executeTakeFirst();
  },

  /** return-compensation: received returns whose steps are due, oldest due first. */
  dueSteps(db: Db, now: Date, limit: number) {
    return db
      .selectFrom('returns')
      .select(['id'])
      .where('status', '=', 'received')
      .where('steps_next_at', '<=', now)
      .orderBy('steps_next_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** One keyset page, newest first (UUIDv7 ids), `limit + 1` rows to know whether more follow. */
  page(db: Db, filter: ReturnFilter, beforeId: string | undefined, limit: number): Promise<ReturnRow[]> {
    let q = db.selectFrom('returns').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.orderId) q = q.where('order_id', '=', filter.orderId);
    if (beforeId) q = q.where('id', '<', beforeId);
    return q
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  },
};
