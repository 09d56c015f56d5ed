import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { toJson } from '../../../platform/money.js';
import type { PaymentDeps } from '../app/deps.js';
import { ProviderUnavailable } from '../app/resilient-providers.js';
import { moveTo } from '../app/transition.js';
import { type PaymentRow, paymentRepository as repo } from '../data/payment.repository.js';
import { paymentScans, type ScanCursor } from '../data/payment-scan.repository.js';
import { canTransition } from '../domain/payment-status.js';
import type { ProviderStatus } from '../domain/ports.js';
import { JOB_BATCH_SIZE } from './bank-transfer-expiry.job.js';

/** Payments changed within this window are compared each run (older ones are settled history). */
export const RECONCILE_LOOKBACK_HOURS = 24;

/**
 * Compares each recent payment of a provider with outside state against what the provider holds.
 * Where the provider is ahead along the state machine (a capture or void we missed), the payment
 * is moved forward with its event, and the correction is logged; where it would mean moving back
 * or the provider knows nothing, nothing is changed (G6) and an error is logged for an operator.
 */
export function reconciliationJob(deps: PaymentDeps, providersWithState: string[]): JobDeclaration {
  return {
    name: 'reconciliation',
    cron: '17 * * * *',
    maxStalenessSeconds: 3 * 3600,
    async handler({ signal, logger }) {
      const since = new Date(deps.clock.now().getTime() - RECONCILE_LOOKBACK_HOURS * 3_600_000);
      let cursor: ScanCursor | undefined;
      let corrected = 0;
      const seen = new Set<string>();
      while (!signal.aborted && providersWithState.length > 0) {
        const batch = await paymentScans.changedSince(
          deps.db,
          providersWithState,
          since,
          cursor,
          JOB_BATCH_SIZE,
        );
        for (const payment of batch) {
          if (seen.has(payment.id)) continue; // a corrected row moves forward in the scan order
          seen.add(payment.id);
          let status: ProviderStatus;
          try {
            status = await deps.providers.call(payment.provider, `reconcile:${payment.id}`, (p, call) =>
              p.status(call, { ref: payment.provider_ref, authorizeKey: payment.idempotency_key }),
            );
          } catch (err) {
            if (err instanceof ProviderUnavailable && err.reason === 'circuit_open')
              return { items: corrected };
            throw err;
          }
          if (await reconcile(deps, payment, status)) corrected += 1;
        }
        const last = batch.at(-1);
        if (!last || batch.length < JOB_BATCH_SIZE) break;
        cursor = { at: last.updated_at, id: last.id };
      }
      if (corrected > 0) logger.warn({ corrected }, 'payments corrected from provider state');
      return { items: corrected };
    },
  };
}

async function reconcile(deps: PaymentDeps, payment: PaymentRow, status: ProviderStatus): Promise<boolean> {
  const state = status.state;
  const matches =
    state === payment.status &&
    status.capturedAmount === payment.captured_amount &&
    status.refundedAmount === payment.refunded_amount;
  if (matches || (payment.status === 'pending' && state === 'not_found')) return false;
  if (state === 'not_found' || !canTransition(payment.status, state)) {
    deps.logger.error(
      { paymentId: payment.id, ours: payment.status, provider: state },
      'payment differs from the provider and cannot be corrected forward; needs an operator',
    );
    return false;
  }
  if (state === 'captured' && (status.capturedAmount <= 0n || status.capturedAmount > payment.amount)) {
    deps.logger.error(
      { paymentId: payment.id, captured: String(status.capturedAmount) },
      'provider captured an impossible amount',
    );
    return false;
  }
  const now = deps.clock.now();
  const changed = await transaction(deps.db, async (tx) => {
    const current = await repo.lock(tx, payment.id);
    if (!current || current.version !== payment.version) return false; // changed meanwhile: next run
    if (state === 'refunded' || state === 'partially_refunded') {
      const delta = status.refundedAmount - current.refunded_amount;
      if (delta <= 0n || status.refundedAmount > current.captured_amount) return false;
      await repo.changeStatus(
        tx,
        current.id,
        current.status,
        { to: state, refundedAmount: status.refundedAmount },
        now,
      );
      await tx.publish('payments.refund.completed', current.order_id, {
        orderId: current.order_id,
        paymentId: current.id,
        refundId: newId(),
        returnId: null,
        amount: toJson({ amount: delta, currency: current.currency }),
        fullyRefunded: state === 'refunded',
        occurredAt: now.toISOString(),
      });
      return true;
    }
    const moved = await moveTo(
      tx,
      current,
      {
        to: state,
        ...(state === 'captured' ? { capturedAmount: status.capturedAmount } : {}),
        ...(state === 'failed'
          ? { failure: { code: 'reconciled_failure', reason: 'The provider reports the payment failed' } }
          : {}),
      },
      now,
    );
    return moved !== undefined;
  });
  if (changed)
    deps.logger.warn(
      { paymentId: payment.id, from: payment.status, to: state },
      'payment reconciled with the provider',
    );
  return changed;
}
