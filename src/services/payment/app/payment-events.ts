import type { EventPayload } from '../../../contracts/index.js';
import type { OutboxTransaction } from '../../../platform/eventing/index.js';
import { toJson } from '../../../platform/money.js';
import type { PaymentRow } from '../data/payment.repository.js';
import type { PaymentDB } from '../data/tables.js';

type Base = EventPayload<'payments.payment.authorized'>;

function base(row: PaymentRow, amount: bigint, at: Date): Base {
  return {
    orderId: row.order_id,
    paymentId: row.id,
    amount: toJson({ amount, currency: row.currency }),
    method: row.method,
    occurredAt: at.toISOString(),
  };
}

/**
 * Announces a status change in the caller's transaction (G3), keyed by order id. The event follows
 * the row's new status, so every path (client, webhook, job) publishes the same thing.
 */
export async function publishStatusEvent(
  tx: OutboxTransaction<PaymentDB>,
  row: PaymentRow,
  at: Date,
): Promise<void> {
  const key = row.order_id;
  switch (row.status) {
    case 'authorized':
      await tx.publish('payments.payment.authorized', key, base(row, row.amount, at));
      return;
    case 'captured':
      await tx.publish('payments.payment.confirmed', key, base(row, row.captured_amount, at));
      return;
    case 'voided':
      await tx.publish('payments.payment.voided', key, base(row, row.amount, at));
      return;
    case 'failed':
    case 'expired':
      await tx.publish('payments.payment.failed', key, {
        ...base(row, row.amount, at),
        code: row.failure_code ?? row.status,
        reason: row.failure_reason,
      });
      return;
    default:
      // pending and the refund states announce nothing here (refunds publish refund.completed).
      return;
  }
}
