import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { transaction } from '../../../platform/eventing/index.js';
import type { PaymentDeps } from '../app/deps.js';
import { moveTo } from '../app/transition.js';
import { paymentRepository as repo } from '../data/payment.repository.js';
import { paymentScans, type ScanCursor } from '../data/payment-scan.repository.js';

export const JOB_BATCH_SIZE = 100;

/**
 * Bank transfers not received within CHECKOUT_BANK_TRANSFER_WINDOW_HOURS expire: pending →
 * expired with payments.payment.failed (the order cancels and releases its stock). One
 * transaction per payment; a payment settled meanwhile is skipped by the conditional update.
 */
export function bankTransferExpiryJob(deps: PaymentDeps): JobDeclaration {
  return {
    name: 'bank-transfer-expiry',
    cron: '*/5 * * * *',
    maxStalenessSeconds: 3600,
    async handler({ signal, logger }) {
      const cutoff = new Date(deps.clock.now().getTime() - deps.bankTransferWindowHours * 3_600_000);
      let cursor: ScanCursor | undefined;
      let expired = 0;
      while (!signal.aborted) {
        const batch = await paymentScans.pendingBefore(
          deps.db,
          'bank_transfer',
          cutoff,
          cursor,
          JOB_BATCH_SIZE,
        );
        for (const payment of batch) {
          const now = deps.clock.now();
          const moved = await transaction(deps.db, async (tx) => {
            const current = await repo.lock(tx, payment.id);
            if (current?.status !== 'pending') return undefined;
            return moveTo(
              tx,
              current,
              {
                to: 'expired',
                failure: {
                  code: 'bank_transfer_expired',
                  reason: `No transfer received within ${deps.bankTransferWindowHours} h`,
                },
              },
              now,
            );
          });
          if (moved) expired += 1;
        }
        const last = batch.at(-1);
        if (!last || batch.length < JOB_BATCH_SIZE) break;
        cursor = { at: last.created_at, id: last.id };
      }
      if (expired > 0) logger.info({ expired }, 'bank transfers expired');
      return { items: expired };
    },
  };
}
