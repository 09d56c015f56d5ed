import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { transaction } from '../../../platform/eventing/index.js';
import type { PaymentDeps } from '../app/deps.js';
import { ProviderUnavailable } from '../app/resilient-providers.js';
import { moveTo } from '../app/transition.js';
import { type PaymentRow, paymentRepository as repo } from '../data/payment.repository.js';
import { paymentScans, type ScanCursor } from '../data/payment-scan.repository.js';
import { JOB_BATCH_SIZE } from './bank-transfer-expiry.job.js';

/**
 * Resolves card payments left `pending` because the authorize answer never arrived (timeout,
 * crash) — PAY-P0-01's "stuck in payment pending". The caller was told payment_unavailable and has
 * compensated, so such an authorization is never turned into a live one: the provider is asked
 * (by the authorize key), a hold it did take is voided there, and the payment becomes `failed`
 * with payments.payment.failed. A payment is only touched once its last attempt is older than two
 * provider timeouts, so a call still in flight is never raced.
 */
export function statusSyncJob(deps: PaymentDeps): JobDeclaration {
  return {
    name: 'status-sync',
    cron: '*/2 * * * *',
    maxStalenessSeconds: 3600,
    async handler({ signal, logger }) {
      const graceMs = 2 * deps.providerTimeoutMs;
      const cutoff = new Date(deps.clock.now().getTime() - graceMs);
      let cursor: ScanCursor | undefined;
      let resolved = 0;
      while (!signal.aborted) {
        const batch = await paymentScans.pendingBefore(deps.db, 'card', cutoff, cursor, JOB_BATCH_SIZE);
        const ops = new Map(
          (
            await paymentScans.authorizeOps(
              deps.db,
              batch.map((p) => p.id),
            )
          ).map((o) => [o.payment_id, o]),
        );
        for (const payment of batch) {
          const op = ops.get(payment.id);
          if (op && op.updated_at > cutoff) continue; // an attempt is recent: leave it to its caller
          try {
            if (await resolve(deps, payment)) resolved += 1;
          } catch (err) {
            if (err instanceof ProviderUnavailable && err.reason === 'circuit_open') {
              logger.warn({ provider: payment.provider }, 'status sync paused: provider circuit open');
              return { items: resolved };
            }
            throw err;
          }
        }
        const last = batch.at(-1);
        if (!last || batch.length < JOB_BATCH_SIZE) break;
        cursor = { at: last.created_at, id: last.id };
      }
      if (resolved > 0) logger.info({ resolved }, 'pending card payments resolved');
      return { items: resolved };
    },
  };
}

async function resolve(deps: PaymentDeps, payment: PaymentRow): Promise<boolean> {
  const status = await deps.providers.call(payment.provider, `sync:${payment.id}:status`, (p, call) =>
    p.status(call, { ref: payment.provider_ref, authorizeKey: payment.idempotency_key }),
  );
  let failure: { code: string; reason: string };
  if (status.state === 'authorized') {
    const answer = await deps.providers.call(payment.provider, `sync:${payment.id}:void`, (p, call) =>
      p.void(call, status.ref),
    );
    if (answer.kind === 'failed') {
      deps.logger.error(
        { paymentId: payment.id, code: answer.code },
        'status sync could not void an unconfirmed authorization',
      );
      return false;
    }
    failure = {
      code: 'authorization_unconfirmed',
      reason: 'The provider did not answer the authorization in time; its hold was released',
    };
  } else if (status.state === 'not_found' || status.state === 'failed' || status.state === 'voided') {
    failure = {
      code: 'authorization_not_received',
      reason: 'The provider holds no authorization for this payment',
    };
  } else {
    // Captured or refunded at the provider although we never authorized: an operator must look.
    deps.logger.error(
      { paymentId: payment.id, providerState: status.state },
      'pending payment is settled at the provider',
    );
    return false;
  }
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    const current = await repo.lock(tx, payment.id);
    if (current?.status !== 'pending') return false;
    await repo.finishOperation(tx, payment.idempotency_key, { status: 'failed', error: failure.code }, now);
    return (await moveTo(tx, current, { to: 'failed', providerRef: status.ref, failure }, now)) !== undefined;
  });
}
