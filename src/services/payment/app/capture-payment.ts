import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import type { Money } from '../../../platform/money.js';
import type { CaptureResult } from '../contract/client.js';
import { type PaymentRow, paymentRepository as repo } from '../data/payment.repository.js';
import type { ProviderOperationResult } from '../domain/ports.js';
import { checkKey } from './authorize-payment.js';
import type { PaymentDeps } from './deps.js';
import { beginOperation, keyReused } from './operation.js';
import { ProviderUnavailable } from './resilient-providers.js';
import { moveTo } from './transition.js';
import { loadPayment, recordNoAnswer } from './void-payment.js';

const captured = (row: PaymentRow): CaptureResult => ({
  ok: true,
  paymentId: row.id,
  status: 'captured',
  capturedAmount: { amount: row.captured_amount, currency: row.currency },
});

/**
 * Captures `amount` — the amount the caller passes (the order's stored total, G2), never more than
 * authorized — once per payment. Also records a collected COD or a received transfer (pending →
 * captured). A provider refusal fails the payment (payments.payment.failed); no answer throws
 * payment_unavailable and leaves the payment as it was, so the caller can retry with the same key.
 */
export async function capturePayment(
  ctx: Ctx,
  deps: PaymentDeps,
  paymentId: string,
  amount: Money,
  key: string,
): Promise<CaptureResult> {
  checkKey(key);
  const payment = await loadPayment(deps, paymentId);
  if (amount.currency !== payment.currency || amount.amount <= 0n || amount.amount > payment.amount)
    throw validationFailed(
      `The capture amount must be in ${payment.currency}, above zero and at most the authorized ${payment.amount}`,
      [{ path: 'amount', message: 'within the authorized amount' }],
    );
  const previous = await repo.findOperation(deps.db, key);
  if (previous && (previous.payment_id !== payment.id || previous.kind !== 'capture')) throw keyReused();
  if (previous?.status === 'failed' && payment.status === 'failed')
    return {
      ok: false,
      reason: 'capture_failed',
      paymentId: payment.id,
      detail: payment.failure_reason ?? 'failed',
    };
  if (
    payment.status === 'captured' ||
    payment.status === 'partially_refunded' ||
    payment.status === 'refunded'
  ) {
    if (payment.captured_amount !== amount.amount)
      throw new AppError(
        'conflict',
        'already_captured',
        `Payment ${payment.id} was captured for ${payment.captured_amount}`,
      );
    return captured(payment);
  }
  if (payment.status !== 'authorized' && payment.status !== 'pending')
    throw new AppError('conflict', 'invalid_transition', `A ${payment.status} payment cannot be captured`);
  if (payment.status === 'pending' && payment.method === 'card')
    throw new AppError('conflict', 'invalid_transition', 'A card payment must be authorized before capture');

  await beginOperation(deps.db, {
    paymentId: payment.id,
    kind: 'capture',
    key,
    amount: amount.amount,
    now: deps.clock.now(),
  });
  let answer: ProviderOperationResult;
  try {
    answer = await deps.providers.call(payment.provider, key, (p, call) =>
      p.capture(call, payment.provider_ref, amount),
    );
  } catch (err) {
    if (err instanceof ProviderUnavailable) await recordNoAnswer(deps, key, err);
    throw err;
  }

  const now = deps.clock.now();
  const result = await transaction(deps.db, async (tx): Promise<CaptureResult> => {
    const current = await repo.lock(tx, payment.id);
    if (!current) throw notFound('Payment', payment.id);
    if (answer.kind === 'succeeded') {
      await repo.finishOperation(tx, key, { status: 'succeeded', providerRef: answer.ref }, now);
      if (current.status === 'captured') return captured(current);
      const moved = await moveTo(tx, current, { to: 'captured', capturedAmount: amount.amount }, now);
      if (!moved)
        throw new AppError('conflict', 'conflict', `Payment ${payment.id} changed while capturing; retry`);
      return captured(moved);
    }
    await repo.finishOperation(tx, key, { status: 'failed', error: answer.code }, now);
    // A concurrent capture under another key won: report the capture that stands.
    if (current.status === 'captured') return captured(current);
    if (current.status === 'authorized' || current.status === 'pending')
      await moveTo(tx, current, { to: 'failed', failure: { code: answer.code, reason: answer.reason } }, now);
    return { ok: false, reason: 'capture_failed', paymentId: payment.id, detail: answer.reason };
  });
  ctx.logger.info(
    { paymentId: payment.id, orderId: payment.order_id, ok: result.ok },
    'payment capture settled',
  );
  return result;
}
