import type { Kysely, Selectable, Transaction } from 'kysely';
import { afterKeyset } from '../../../platform/db/keyset.js';
import type { CheckoutStatus, CheckoutsTable, OrderDB } from './tables.js';

type Db = Kysely<OrderDB> | Transaction<OrderDB>;
export type CheckoutRow = Selectable<CheckoutsTable>;

/** The saga's own record: what compensation needs (reservation and payment ids) and where it stands. */
export const checkoutRepository = {
  async insert(
    db: Db,
    row: {
      id: string;
      cartId: string;
      scope: string;
      key: string;
      method: CheckoutsTable['payment_method'];
      now: Date;
    },
  ): Promise<void> {
    await db
      .insertInto('checkouts')
      .values({
        id: row.id,
        cart_id: row.cartId,
        idempotency_scope: row.scope,
        idempotency_key: row.key,
        payment_method: row.method,
        status: 'started',
        reservation_id: null,
        payment_id: null,
        error: null,
        created_at: row.now,
        updated_at: row.now,
      })
      .execute();
  },

  async find(db: Db, id: string): Promise<CheckoutRow | undefined> {
    return db.selectFrom('checkouts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async update(
    db: Db,
    id: string,
    changes: {
      status?: CheckoutStatus;
      reservationId?: string;
      paymentId?: string;
      error?: string | null;
      now: Date;
    },
  ): Promise<void> {
    await db
      .updateTable('checkouts')
      .set({
        ...(changes.status ? { status: changes.status } : {}),
        ...(changes.reservationId !== undefined ? { reservation_id: changes.reservationId } : {}),
        ...(changes.paymentId !== undefined ? { payment_id: changes.paymentId } : {}),
        ...(changes.error !== undefined ? { error: changes.error } : {}),
        updated_at: changes.now,
      })
      .where('id', '=', id)
      .execute();
  },

  /** Recovery job: one keyset page of unfinished checkouts last touched before `before`. */
  async listStale(db: Db, before: Date, after: { updatedAt: Date; id: string } | undefined, limit: number) {
    let q = db
      .selectFrom('checkouts')
      .selectAll()
      .where('status', 'in', ['started', 'reserved', 'authorized', 'compensating'])
      .where('updated_at', '<', before);
    if (after) q = q.where(afterKeyset('updated_at', { at: after.updatedAt, id: after.id }));
    return q.orderBy('updated_at').orderBy('id').limit(limit).execute();
  },
};
