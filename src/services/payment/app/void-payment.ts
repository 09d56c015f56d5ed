import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import { type PaymentRow, paymentRepository as repo } from '../data/payment.repository.js';
import { checkKey } from './authorize-payment.js';
import type { PaymentDeps } from './deps.js';
import { beginOperation, keyReused } from './operation.js';
import { ProviderUnavailable } from './resilient-providers.js';
import { moveTo } from './transition.js';

export async function loadPayment(deps: PaymentDeps, paymentId: string): Promise<PaymentRow> {
  const row = isUuid(paymentId) ? await repo.findById(deps.db, paymentId) : undefined;
  if (!row) throw notFound('Payment', paymentId.slice(0, 64));
  return row;
}

/** Records a provider call that got no answer, then rethrows (the attempt stays visible). */
export async function recordNoAnswer(deps: PaymentDeps, key: string, err: unknown): Promise<never> {
  if (err instanceof ProviderUnavailable)
    await repo.finishOperation(
      deps.db,
      key,
      { status: err.outcomeUnknown ? 'unknown' : 'failed', error: err.reason },
      deps.clock.now(),
    );
  throw err;
}

/**
 * Releases a payment that has not been captured; idempotent per key and per payment (a voided,
 * failed or expired payment holds nothing, so voiding it again is a no-op). A pending card payment
 * whose authorize answer was lost is looked up at the provider by its authorize key and released
 * there first (PAY-P0-01). A captured payment is refunded, not voided (409).
 */
export async function voidPayment(
  ctx: Ctx,
  deps: PaymentDeps,
  paymentId: string,
  key: string,
): Promise<void> {
  checkKey(key);
  const payment = await loadPayment(deps, paymentId);
  const previous = await repo.findOperation(deps.db, key);
  if (previous && (previous.payment_id !== payment.id || previous.kind !== 'void')) throw keyReused();
  if (previous?.status === 'succeeded') return;
  if (payment.status === 'voided' || payment.status === 'failed' || payment.status === 'expired') return;
  if (payment.status !== 'authorized' && payment.status !== 'pending')
    throw new AppError(
      'conflict',
      'invalid_transition',
      `A ${payment.status} payment cannot be voided; refund it`,
    );

  await beginOperation(deps.db, {
    paymentId: payment.id,
    kind: 'void',
    key,
    amount: payment.amount,
    now: deps.clock.now(),
  });
  let ref = payment.provider_ref;
  let mustCallProvider = true;
  try {
    if (payment.status === 'pending' && payment.method === 'card') {
      // The authorization may exist at the gateway even though we never heard back.
      const status = await deps.providers.call(payment.provider, `${key}:status`, (p, call) =>
        p.status(call, { ref: payment.provider_ref, authorizeKey: payment.idempotency_key }),
      );
      ref = status.ref;
      mustCallProvider = status.state === 'authorized';
    }
    if (mustCallProvider) {
      const answer = await deps.providers.call(payment.provider, key, (p, call) => p.void(call, ref));
      if (answer.kind === 'failed') {
        await repo.finishOperation(deps.db, key, { status: 'failed', error: answer.code }, deps.clock.now());
        throw new AppError('unprocessable', 'void_failed', `The provider refused the void: ${answer.reason}`);
      }
    }
  } catch (err) {
    if (err instanceof ProviderUnavailable) await recordNoAnswer(deps, key, err);
    throw err;
  }

  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    const current = await repo.lock(tx, payment.id);
    if (!current) throw notFound('Payment', payment.id);
    if (current.status === 'authorized' || current.status === 'pending') {
      const moved = await moveTo(tx, current, { to: 'voided', providerRef: ref }, now);
      if (!moved)
        throw new AppError('conflict', 'conflict', `Payment ${payment.id} changed while voiding; retry`);
    }
    await repo.finishOperation(tx, key, { status: 'succeeded', providerRef: ref }, now);
  });
  ctx.logger.info({ paymentId: payment.id, orderId: payment.order_id }, 'payment voided');
}
