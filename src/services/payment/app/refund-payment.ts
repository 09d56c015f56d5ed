import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { isUuid, newId } from '../../../platform/ids.js';
import { type Money, toJson } from '../../../platform/money.js';
import type { RefundRequestOptions, RefundResult } from '../contract/client.js';
import { paymentRepository as repo } from '../data/payment.repository.js';
import { assertTransition } from '../domain/payment-status.js';
import type { ProviderOperationResult } from '../domain/ports.js';
import { checkKey } from './authorize-payment.js';
import type { PaymentDeps } from './deps.js';
import { keyReused } from './operation.js';
import { ProviderUnavailable } from './resilient-providers.js';
import { loadPayment, recordNoAnswer } from './void-payment.js';

/**
 * Refunds `amount` of a captured payment, idempotent per key. The amount is reserved under a row
 * lock before the provider is called (refunds in flight count against what is left), so parallel
 * refunds can never return more than was captured; the database CHECK backs that up.
 */
export async function refundPayment(
  ctx: Ctx,
  deps: PaymentDeps,
  paymentId: string,
  amount: Money,
  key: string,
  options: RefundRequestOptions = {},
): Promise<RefundResult> {
  checkKey(key);
  if (options.returnId !== undefined && !isUuid(options.returnId))
    throw validationFailed('returnId must be a UUID', [{ path: 'returnId', message: 'a UUID' }]);
  const payment = await loadPayment(deps, paymentId);
  const previous = await repo.findOperation(deps.db, key);
  if (
    previous &&
    (previous.payment_id !== payment.id || previous.kind !== 'refund' || previous.amount !== amount.amount)
  )
    throw keyReused();
  if (previous?.status === 'succeeded') return done(previous.id, payment.id);
  if (previous?.status === 'failed')
    return { ok: false, reason: 'refund_failed', paymentId, detail: previous.error ?? 'failed' };

  const now = deps.clock.now();
  const opId = previous?.id ?? newId();
  if (!previous) {
    await transaction(deps.db, async (tx) => {
      const current = await repo.lock(tx, payment.id);
      if (!current) throw notFound('Payment', payment.id);
      if (current.status !== 'captured' && current.status !== 'partially_refunded')
        throw new AppError(
          'conflict',
          'invalid_transition',
          `A ${current.status} payment cannot be refunded`,
        );
      if (amount.currency !== current.currency || amount.amount <= 0n)
        throw validationFailed(`The refund must be a positive amount in ${current.currency}`, [
          { path: 'amount', message: `positive, in ${current.currency}` },
        ]);
      const open = await repo.openRefunds(tx, current.id);
      if (current.refunded_amount + open + amount.amount > current.captured_amount)
        throw new AppError(
          'unprocessable',
          'refund_exceeds_captured',
          `At most ${current.captured_amount - current.refunded_amount - open} ${current.currency} can still be refunded`,
        );
      await repo.startOperation(tx, {
        id: opId,
        paymentId: current.id,
        kind: 'refund',
        key,
        amount: amount.amount,
        now,
      });
    });
  }

  let answer: ProviderOperationResult;
  try {
    answer = await deps.providers.call(payment.provider, key, (p, call) =>
      p.refund(call, payment.provider_ref, amount),
    );
  } catch (err) {
    if (err instanceof ProviderUnavailable) await recordNoAnswer(deps, key, err);
    throw err;
  }
  if (answer.kind === 'failed') {
    await repo.finishOperation(deps.db, key, { status: 'failed', error: answer.reason }, deps.clock.now());
    return { ok: false, reason: 'refund_failed', paymentId, detail: answer.reason };
  }

  const at = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    const current = await repo.lock(tx, payment.id);
    if (!current) throw notFound('Payment', payment.id);
    const refunded = current.refunded_amount + amount.amount;
    const to = refunded === current.captured_amount ? 'refunded' : 'partially_refunded';
    assertTransition(current.status, to);
    await repo.changeStatus(tx, current.id, current.status, { to, refundedAmount: refunded }, at);
    await repo.finishOperation(tx, key, { status: 'succeeded', providerRef: answer.ref }, at);
    await tx.publish('payments.refund.completed', current.order_id, {
      orderId: current.order_id,
      paymentId: current.id,
      refundId: opId,
      returnId: options.returnId ?? null,
      amount: toJson(amount),
      fullyRefunded: to === 'refunded',
      occurredAt: at.toISOString(),
    });
  });
  ctx.logger.info({ paymentId, refundId: opId, amount: amount.amount.toString() }, 'payment refunded');
  return done(opId, payment.id);

  async function done(refundId: string, id: string): Promise<RefundResult> {
    const row = await repo.findById(deps.db, id);
    if (!row) throw notFound('Payment', id);
    return {
      ok: true,
      paymentId: id,
      refundId,
      status: row.status as 'refunded' | 'partially_refunded',
      refundedAmount: { amount: row.refunded_amount, currency: row.currency },
    };
  }
}
