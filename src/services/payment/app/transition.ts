import type { OutboxTransaction } from '../../../platform/eventing/index.js';
import { type PaymentRow, paymentRepository as repo, type StatusChange } from '../data/payment.repository.js';
import type { PaymentDB } from '../data/tables.js';
import { assertTransition } from '../domain/payment-status.js';
import { publishStatusEvent } from './payment-events.js';

/**
 * The one way a payment changes status: guard (transition table), conditional update on the status
 * that was read, and the event — all in the caller's transaction. Returns undefined when another
 * writer changed the row first (the caller re-reads and decides).
 */
export async function moveTo(
  tx: OutboxTransaction<PaymentDB>,
  row: PaymentRow,
  change: StatusChange,
  now: Date,
): Promise<PaymentRow | undefined> {
  assertTransition(row.status, change.to);
  const updated = await repo.changeStatus(tx, row.id, row.status, change, now);
  if (updated) await publishStatusEvent(tx, updated, now);
  return updated;
}
