import type { Kysely } from 'kysely';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import { paymentRepository as repo } from '../data/payment.repository.js';
import type { OperationKind, PaymentDB } from '../data/tables.js';

export const keyReused = (): AppError =>
  new AppError(
    'unprocessable',
    'idempotency_key_reused',
    'This idempotency key was used for a different operation',
  );

/**
 * Logs the start (or a new attempt) of a provider operation under its idempotency key. A key
 * already used for another payment or another kind of operation is refused, never reinterpreted.
 */
export async function beginOperation(
  db: Kysely<PaymentDB>,
  op: { paymentId: string; kind: OperationKind; key: string; amount: bigint; now: Date },
) {
  const row = await repo.startOperation(db, { id: newId(), ...op });
  if (row.payment_id !== op.paymentId || row.kind !== op.kind || row.amount !== op.amount) throw keyReused();
  return row;
}
