import type { Kysely, Selectable, Transaction } from 'kysely';
import type { PaymentStatus, PaymentView } from '../contract/client.js';
import type {
  OperationKind,
  OperationStatus,
  PaymentDB,
  PaymentsTable,
  WebhookEventsTable,
} from './tables.js';

/**
 * Payment data access. Reads take any handle; state changes take a `Transaction` so the change,
 * its operation log entry and its outbox event commit together (G3). Status changes are
 * conditional on the status read (and bump `version`), so two racing writers cannot both apply.
 */
type Db = Kysely<PaymentDB>;
type Tx = Transaction<PaymentDB>;
export type PaymentRow = Selectable<PaymentsTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;

export function toPaymentView(row: PaymentRow): PaymentView {
  return {
    id: row.id,
    orderId: row.order_id,
    provider: row.provider,
    method: row.method,
    status: row.status,
    amount: { amount: row.amount, currency: row.currency },
    capturedAmount: { amount: row.captured_amount, currency: row.currency },
    refundedAmount: { amount: row.refunded_amount, currency: row.currency },
  };
}

export interface NewPayment {
  id: string;
  orderId: string;
  provider: string;
  method: PaymentRow['method'];
  amount: bigint;
  currency: string;
  idempotencyKey: string;
  now: Date;
}

export interface StatusChange {
  to: PaymentStatus;
  providerRef?: string | null;
  capturedAmount?: bigint;
  refundedAmount?: bigint;
  failure?: { code: string; reason: string | null };
}

export const paymentRepository = {
  findById: (db: Db, id: string) =>
    db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst(),

  findByKey: (db: Db, key: string) =>
    db.selectFrom('payments').selectAll().where('idempotency_key', '=', key).executeTakeFirst(),

  /** The payment a provider event is about, locked for the rest of the transaction. */
  lockByRef: (tx: Tx, provider: string, ref: string) =>
    tx
      .selectFrom('payments')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_ref', '=', ref)
      .forUpdate()
      .executeTakeFirst(),

  /**
   * Locks the row for the rest of the transaction: concurrent writers of one payment queue here
   * and each sees the other's result (refund amounts are checked under it too).
   */
  lock: (tx: Tx, id: string) =>
    tx.selectFrom('payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  /** An order has a handful of payments at most; bounded all the same. */
  forOrder: (db: Db, orderId: string) =>
    db.selectFrom('payments').selectAll().where('order_id', '=', orderId).orderBy('id').limit(100).execute(),

  /** Inserts the payment unless its idempotency key exists; returns the new row, or undefined. */
  insertIfNew(db: Db, p: NewPayment): Promise<PaymentRow | undefined> {
    return db
      .insertInto('payments')
      .values({
        id: p.id,
        order_id: p.orderId,
        provider: p.provider,
        method: p.method,
        status: 'pending',
        amount: p.amount,
        currency: p.currency,
        idempotency_key: p.idempotencyKey,
        created_at: p.now,
        updated_at: p.now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  /** Moves `from → change.to` only if the row is still `from`; returns the new row or undefined. */
  async changeStatus(tx: Tx, id: string, from: PaymentStatus, change: StatusChange, now: Date) {
    return tx
      .updateTable('payments')
      .set((eb) => ({
        status: change.to,
        updated_at: now,
        version: eb('version', '+', 1),
        ...(change.providerRef !== undefined ? { provider_ref: change.providerRef } : {}),
        ...(change.capturedAmount !== undefined ? { captured_amount: change.capturedAmount } : {}),
        ...(change.refundedAmount !== undefined ? { refunded_amount: change.refundedAmount } : {}),
        ...(change.failure
          ? { failure_code: change.failure.code, failure_reason: change.failure.reason }
          : {}),
      }))
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
  },

  /** Keeps a reference learned without a status change (bank transfer reference). */
  setRef: (tx: Tx, id: string, ref: string | null, now: Date) =>
    tx.updateTable('payments').set({ provider_ref: ref, updated_at: now }).where('id', '=', id).execute(),

  // --- operation log ---------------------------------------------------------------------------

  findOperation: (db: Db, key: string) =>
    db.selectFrom('payment_operations').selectAll().where('idempotency_key', '=', key).executeTakeFirst(),

  /** Starts (or restarts, counting the attempt) the operation of `key`; returns the row. */
  async startOperation(
    db: Db,
    op: { id: string; paymentId: string; kind: OperationKind; key: string; amount: bigint; now: Date },
  ) {
    return db
      .insertInto('payment_operations')
      .values({
        id: op.id,
        payment_id: op.paymentId,
        kind: op.kind,
        idempotency_key: op.key,
        amount: op.amount,
        status: 'in_progress',
        created_at: op.now,
        updated_at: op.now,
      })
      .onConflict((oc) =>
        oc.column('idempotency_key').doUpdateSet((eb) => ({
          attempts: eb('payment_operations.attempts', '+', 1),
          updated_at: op.now,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  finishOperation: (
    db: Db,
    key: string,
    result: { status: OperationStatus; providerRef?: string | null; error?: string | null },
    now: Date,
  ) =>
    db
      .updateTable('payment_operations')
      .set({
        status: result.status,
        updated_at: now,
        ...(result.providerRef !== undefined ? { provider_ref: result.providerRef } : {}),
        error: result.error ?? null,
      })
      .where('idempotency_key', '=', key)
      .execute(),

  /** Refund amounts not yet settled (in flight or unknown) — they count against what may still be refunded. */
  async openRefunds(tx: Tx, paymentId: string): Promise<bigint> {
    const rows = await tx
      .selectFrom('payment_operations')
      .select('amount')
      .where('payment_id', '=', paymentId)
      .where('kind', '=', 'refund')
      .where('status', 'in', ['in_progress', 'unknown'])
      .execute();
    return rows.reduce((acc, r) => acc + r.amount, 0n);
  },
};
