import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import type { PaymentView } from '../contract/client.js';
import { paymentRepository as repo, toPaymentView } from '../data/payment.repository.js';
import { capturePayment } from './capture-payment.js';
import type { PaymentDeps } from './deps.js';
import { loadPayment } from './void-payment.js';

/**
 * An operator records that an offline payment arrived: the bank transfer was received, or the COD
 * cash was collected. pending → captured for the full amount, announced as payments.payment.confirmed
 * (the order confirms on it). Idempotent: one key per payment, so a repeated call returns the same.
 */
export async function markReceived(ctx: Ctx, deps: PaymentDeps, paymentId: string): Promise<PaymentView> {
  const payment = await loadPayment(deps, paymentId.toLowerCase());
  if (payment.method === 'card')
    throw new AppError(
      'conflict',
      'invalid_transition',
      'Card payments are captured by the order, not marked received',
    );
  const result = await capturePayment(
    ctx,
    deps,
    payment.id,
    { amount: payment.amount, currency: payment.currency },
    `admin:${payment.id}:received`,
  );
  if (!result.ok)
    throw new AppError(
      'conflict',
      'invalid_transition',
      `The payment could not be marked received: ${result.detail}`,
    );
  const row = await repo.findById(deps.db, payment.id);
  return toPaymentView(row!);
}
