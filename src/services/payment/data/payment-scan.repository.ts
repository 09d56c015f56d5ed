import type { Kysely } from 'kysely';
import { afterKeyset } from '../../../platform/db/keyset.js';
import type { PaymentRow } from './payment.repository.js';
import type { PaymentDB } from './tables.js';

/** Keyset-paginated scans for the payment jobs: bounded batches, never an unbounded SELECT. */
type Db = Kysely<PaymentDB>;
export interface ScanCursor {
  at: Date;
  id: string;
}

export const paymentScans = {
  /** Pending payments of a method created before `before`, oldest first (payments_pending_idx). */
  pendingBefore: (
    db: Db,
    method: PaymentRow['method'],
    before: Date,
    after: ScanCursor | undefined,
    limit: number,
  ) => {
    let q = db
      .selectFrom('payments')
      .selectAll()
      .where('status', '=', 'pending')
      .where('method', '=', method)
      .where('created_at', '<', before);
    if (after) q = q.where(afterKeyset('created_at', after));
    return q.orderBy('created_at').orderBy('id').limit(limit).execute();
  },

  /** Payments of the given providers changed since `since`, in change order (payments_updated_at_idx). */
  changedSince: (db: Db, providers: string[], since: Date, after: ScanCursor | undefined, limit: number) => {
    let q = db
      .selectFrom('payments')
      .selectAll()
      .where('provider', 'in', providers)
      .where('provider_ref', 'is not', null)
      .where('updated_at', '>=', since);
    if (after) q = q.where(afterKeyset('updated_at', after));
    return q.orderBy('updated_at').orderBy('id').limit(limit).execute();
  },

  /** The authorize operations of a batch of payments, in one query (no N+1). */
  authorizeOps: (db: Db, paymentIds: string[]) =>
    paymentIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('payment_operations')
          .select(['payment_id', 'status', 'updated_at'])
          .where('payment_id', 'in', paymentIds)
          .where('kind', '=', 'authorize')
          .execute(),
};
