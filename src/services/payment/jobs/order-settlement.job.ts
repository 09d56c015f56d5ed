import type { JobDeclaration } from '../../../platform/eventing/index.js';
import type { PaymentDeps } from '../app/deps.js';
import { settleRequest } from '../app/settle-cancelled-order.js';
import { JOB_BATCH_SIZE } from './bank-transfer-expiry.job.js';

/**
 * Settles the payments of cancelled orders queued by the order-cancelled consumer: one bounded
 * batch, oldest first. Each request is claimed with a conditional update, so two runs never settle
 * the same order twice (and the provider keys are stable anyway, G2).
 */
export function orderSettlementJob(deps: PaymentDeps, cron: string): JobDeclaration {
  return {
    name: 'order-settlement',
    cron,
    maxStalenessSeconds: 3600,
    async handler({ signal, logger }) {
      const due = await deps.db
        .selectFrom('order_settlements')
        .select('order_id')
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .orderBy('order_id')
        .limit(JOB_BATCH_SIZE)
        .execute();
      for (const { order_id } of due) {
        if (signal.aborted) break;
        await settleRequest(deps, order_id, logger);
      }
      return { items: due.length };
    },
  };
}
