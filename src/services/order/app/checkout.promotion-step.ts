import { type Ctx, systemCtx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { errorMessage } from '../../../platform/eventing/backoff.js';
import {
  type CompensationHandlers,
  recordFailedCompensation,
  recordStep,
} from '../../../platform/eventing/index.js';
import type { Money } from '../../../platform/money.js';
import { allocate } from '../../../platform/money-allocation.js';
import type { CartRow } from '../data/cart.repository.js';
import type { OrderPromotion } from '../data/tables.js';
import type { PricedCart } from './cart-pricing.js';
import { compensationPolicy, type OrderDeps, SAGA_TYPE } from './deps.js';

/**
 * The checkout saga's "reserve promotion usage" step (04-services.md: quote → reserve promotion
 * usage → reserve stock …) and its compensation, kept apart from the saga's other steps. The
 * promotion service takes every applied promotion's usage in one transaction (limit, per-customer
 * limit and budget in one conditional statement each: PM-P0-01) and is idempotent per order, so a
 * retried release or a recovery that releases what was never reserved changes nothing.
 */
export const STEP_PROMOTIONS = 'reserve-promotions';
export const ACTION_RELEASE_PROMOTIONS = 'release-promotion-usage';

export interface ReleasePromotionsPayload {
  checkoutId: string;
}

/** Refusals that may have come about since the customer last saw the cart (usage, time). */
const CHANGED_SINCE_VIEW: ReadonlySet<string> = new Set([
  'limit_reached',
  'customer_limit_reached',
  'budget_exhausted',
  'expired',
]);

/**
 * Part of checkout's validation: an entered code that stopped applying because its uses, budget or
 * window ran out since the cart was shown fails the checkout (409 `promotion_unavailable`) rather
 * than charging the full price unannounced. A code the cart already showed as refused for one of
 * its conditions does not block: the customer saw it and may remove it.
 */
export function assertEnteredCodesHold(q: PricedCart): void {
  const lost = q.promotions?.refused.find((r) => CHANGED_SINCE_VIEW.has(r.reason));
  if (lost)
    throw new AppError(
      'conflict',
      'promotion_unavailable',
      `The code ${lost.code} can no longer be applied (${lost.reason}); remove it or check out again later`,
      { extra: { promotionId: null, promotionCode: lost.code, reason: lost.reason } },
    );
}

/** The promotions of the quote worth reserving (a 0 discount takes no usage). */
const reservable = (q: PricedCart) => (q.promotions?.applied ?? []).filter((p) => p.amount.amount > 0n);

/**
 * Reserves the usage of every promotion the checkout's quote applied. Returns whether anything was
 * reserved. A refusal — a parallel checkout took the last use, the budget or the customer's last
 * use since the quote — fails the checkout with 409 `promotion_unavailable` naming the code and the
 * reason: the customer was shown a discount and is never charged more without being told.
 */
export async function reserveCheckoutPromotions(
  deps: OrderDeps,
  ctx: Ctx,
  checkoutId: string,
  cart: CartRow,
  q: PricedCart,
): Promise<boolean> {
  const applied = reservable(q);
  if (applied.length === 0 || !deps.promotions) return false;
  const now = () => deps.clock.now();
  const step = (status: 'completed' | 'failed', result?: unknown, error?: string) =>
    recordStep(
      deps.db,
      {
        sagaType: SAGA_TYPE,
        sagaId: checkoutId,
        step: STEP_PROMOTIONS,
        status,
        result,
        ...(error ? { error } : {}),
      },
      now(),
    );
  const result = await deps.promotions
    .reserve(ctx, {
      orderId: checkoutId,
      customerId: cart.customer_id,
      currency: q.currency,
      orderTotal: q.totals.total,
      promotions: applied.map((p) => ({ promotionId: p.promotionId, amount: p.amount })),
    })
    .catch(async (err: unknown) => {
      // Reservation is one transaction on the promotion side: a throw took nothing.
      await step('failed', undefined, errorMessage(err));
      throw err;
    });
  if (!result.ok) {
    await step('failed', { promotionId: result.promotionId, reason: result.reason });
    throw new AppError(
      'conflict',
      'promotion_unavailable',
      `The promotion ${result.code ?? result.promotionId} can no longer be applied (${result.reason}); review the cart and check out again`,
      { extra: { promotionId: result.promotionId, promotionCode: result.code, reason: result.reason } },
    );
  }
  await step('completed', { promotions: applied.map((p) => p.promotionId) });
  return true;
}

/** Compensation: gives the checkout's reserved usage back; a failure is recorded and retried (G5). */
export async function releaseCheckoutPromotions(
  deps: OrderDeps,
  ctx: Ctx,
  checkoutId: string,
): Promise<void> {
  if (!deps.promotions) return;
  const now = () => deps.clock.now();
  try {
    await deps.promotions.release(ctx, checkoutId, 'checkout_failed');
    await recordStep(
      deps.db,
      { sagaType: SAGA_TYPE, sagaId: checkoutId, step: STEP_PROMOTIONS, status: 'compensated' },
      now(),
    );
  } catch (err) {
    ctx.logger.error({ err, checkoutId }, 'releasing promotion usage failed; recorded for retry');
    const payload: ReleasePromotionsPayload = { checkoutId };
    await recordFailedCompensation(
      deps.db,
      {
        sagaType: SAGA_TYPE,
        sagaId: checkoutId,
        step: STEP_PROMOTIONS,
        action: ACTION_RELEASE_PROMOTIONS,
        payload,
        error: err,
      },
      compensationPolicy(deps.config),
      now(),
    );
    await recordStep(
      deps.db,
      {
        sagaType: SAGA_TYPE,
        sagaId: checkoutId,
        step: STEP_PROMOTIONS,
        status: 'compensation_failed',
        error: errorMessage(err),
      },
      now(),
    );
  }
}

export function promotionCompensations(deps: OrderDeps): CompensationHandlers {
  return {
    [ACTION_RELEASE_PROMOTIONS]: async (payload, meta) => {
      const { checkoutId } = payload as ReleasePromotionsPayload;
      if (!deps.promotions) throw new Error('the promotion service is not part of this process');
      await deps.promotions.release(
        systemCtx(deps.logger, 'order.compensation', `compensation:${meta.sagaId}`),
        checkoutId,
        'checkout_failed',
      );
      await recordStep(
        deps.db,
        { sagaType: SAGA_TYPE, sagaId: meta.sagaId, step: meta.step, status: 'compensated' },
        deps.clock.now(),
      );
    },
  };
}

/** The order's record of its promotions, as quoted. */
export const orderPromotions = (q: PricedCart): OrderPromotion[] =>
  (q.promotions?.applied ?? []).map((p) => ({
    promotionId: p.promotionId,
    code: p.code,
    name: p.name,
    type: p.type,
    amount: p.amount.amount.toString(),
    shippingAmount: p.shippingAmount.amount.toString(),
  }));

/** A cart line's discount split over its warehouse rows by quantity, exactly (PM-P0-02). */
export function splitLineDiscount(discount: Money | undefined, quantities: readonly number[]): bigint[] {
  const total = discount?.amount ?? 0n;
  return allocate(
    total,
    quantities.map((n) => BigInt(n)),
  );
}
