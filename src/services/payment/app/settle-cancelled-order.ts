import { type Ctx, systemCtx } from '../../../platform/context.js';
import { isAppError } from '../../../platform/errors/app-error.js';
import { errorMessage } from '../../../platform/eventing/backoff.js';
import { type CompensationHandlers, recordFailedCompensation } from '../../../platform/eventing/index.js';
import { paymentRepository as repo } from '../data/payment.repository.js';
import type { PaymentDeps } from './deps.js';
import { refundPayment } from './refund-payment.js';
import { voidPayment } from './void-payment.js';

export const SETTLEMENT_SAGA = 'order-cancellation';
export const ACTION_SETTLE = 'settle-cancelled-order';

const voidKey = (orderId: string, paymentId: string) => `order:${orderId}:cancel:void:${paymentId}`;
const refundKey = (orderId: string, paymentId: string) => `order:${orderId}:cancel:refund:${paymentId}`;

/**
 * Settles every payment of a cancelled order (04-services.md "payment"): what still holds money
 * is voided (authorized, or pending COD / transfer), what was captured is refunded in full of what
 * remains. The decision is taken on the payment's CURRENT status, so a capture that raced the
 * cancellation is refunded rather than "voided". Idempotent per order and payment (stable keys).
 * Throws when a payment could not be settled.
 */
export async function settleOrderPayments(ctx: Ctx, deps: PaymentDeps, orderId: string): Promise<number> {
  let settled = 0;
  for (const initial of await repo.forOrder(deps.db, orderId)) {
    let p = initial;
    if (p.status === 'authorized' || p.status === 'pending') {
      try {
        await voidPayment(ctx, deps, p.id, voidKey(orderId, p.id));
        settled++;
        continue;
      } catch (err) {
        // The provider refused because the capture went through meanwhile: refund instead.
        if (!isAppError(err) || err.code !== 'void_failed') throw err;
        const fresh = await repo.findById(deps.db, p.id);
        if (!fresh || (fresh.status !== 'captured' && fresh.status !== 'partially_refunded')) throw err;
        p = fresh;
      }
    }
    if (p.status === 'captured' || p.status === 'partially_refunded') {
      const remaining = p.captured_amount - p.refunded_amount;
      if (remaining <= 0n) continue;
      const r = await refundPayment(
        ctx,
        deps,
        p.id,
        { amount: remaining, currency: p.currency },
        refundKey(orderId, p.id),
      );
      if (!r.ok) throw new Error(`refund of payment ${p.id} failed: ${r.detail}`);
      settled++;
    }
  }
  return settled;
}

/**
 * One settlement request: settle, mark `settled`; on failure hand it to the platform's
 * compensation retry (backoff, alert on exhaustion: G5) and mark it `compensating`. Returns false
 * when there was no pending request to claim (not committed yet, or already taken).
 */
export async function settleRequest(
  deps: PaymentDeps,
  orderId: string,
  logger: Ctx['logger'],
): Promise<boolean> {
  const ctx = systemCtx(logger, 'payment.order-settlement', `settlement:${orderId}`);
  const claimed = await deps.db
    .updateTable('order_settlements')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), updated_at: deps.clock.now() }))
    .where('order_id', '=', orderId)
    .where('status', '=', 'pending')
    .returning('attempts')
    .executeTakeFirst();
  if (!claimed) return false;
  try {
    await settleOrderPayments(ctx, deps, orderId);
    await mark(deps, orderId, 'settled', null);
  } catch (err) {
    ctx.logger.error({ err, orderId }, 'settling a cancelled order failed; recorded for retry');
    await recordFailedCompensation(
      deps.db,
      {
        sagaType: SETTLEMENT_SAGA,
        sagaId: orderId,
        step: 'settle',
        action: ACTION_SETTLE,
        payload: { orderId },
        error: err,
      },
      deps.compensation,
      deps.clock.now(),
    );
    await mark(deps, orderId, 'compensating', errorMessage(err));
  }
  return true;
}

const mark = (deps: PaymentDeps, orderId: string, status: 'settled' | 'compensating', error: string | null) =>
  deps.db
    .updateTable('order_settlements')
    .set({ status, last_error: error?.slice(0, 2000) ?? null, updated_at: deps.clock.now() })
    .where('order_id', '=', orderId)
    .execute();

/** Retry handler of a failed settlement (platform.compensation-retry). */
export function settlementCompensations(deps: PaymentDeps): CompensationHandlers {
  return {
    [ACTION_SETTLE]: async (payload, meta) => {
      const { orderId } = payload as { orderId: string };
      await settleOrderPayments(
        systemCtx(meta.logger, 'payment.compensation', `compensation:${orderId}`),
        deps,
        orderId,
      );
      await mark(deps, orderId, 'settled', null);
    },
  };
}
