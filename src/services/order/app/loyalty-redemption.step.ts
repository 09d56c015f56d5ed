import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { recordStep } from '../../../platform/eventing/index.js';
import { add, type Money, money, subtract, toJson } from '../../../platform/money.js';
import type { LoyaltyClient } from '../../loyalty/contract/client.js';
import type { CartRow } from '../data/cart.repository.js';
import { type OrderDeps, SAGA_TYPE } from './deps.js';

/** What the checkout uses of the loyalty service: redeem points for an order, give them back. */
export type LoyaltyPort = Pick<LoyaltyClient, 'redeem' | 'releaseRedemption'>;

export const REDEEM_STEP = 'redeem-points';
export const ACTION_RELEASE_POINTS = 'release-points';

interface Totals {
  subtotal: Money;
  discount: Money;
  shipping: Money;
  tax: Money;
  total: Money;
}

/**
 * Before anything is reserved (no side effect yet): points need a customer's cart and the loyalty
 * service in this process.
 */
export function assertRedeemable(deps: OrderDeps, cart: CartRow, points: number | undefined): void {
  if (!points) return;
  if (!cart.customer_id)
    throw new AppError('unprocessable', 'loyalty_requires_customer', 'Sign in to pay with loyalty points');
  if (!deps.loyalty)
    throw new AppError(
      'unavailable',
      'loyalty_unavailable',
      'The loyalty service is not available in this process',
    );
}

/**
 * The checkout saga's points step (docs/loyalty.md "Redemption"): after the stock is reserved and
 * before the payment is authorized, the points become a discount on the merchandise (at most the
 * subtotal, so the order still pays its shipping and tax). Recorded as `started` first, so a crash
 * leaves a trace recovery compensates; idempotent per order at the loyalty service. Its undo is
 * `releasePoints` (compensateCheckout, the compensation retry job, and a cancelled order).
 */
export async function redeemPointsStep(
  ctx: Ctx,
  deps: OrderDeps,
  checkout: { id: string; cart: CartRow; points: number | undefined; totals: Totals },
): Promise<Totals> {
  const { id, cart, points, totals } = checkout;
  if (!points) return totals;
  assertRedeemable(deps, cart, points);
  const step = (status: 'started' | 'completed', result?: unknown) =>
    recordStep(
      deps.db,
      { sagaType: SAGA_TYPE, sagaId: id, step: REDEEM_STEP, status, result },
      deps.clock.now(),
    );
  await step('started');
  const currency = totals.total.currency;
  const redemption = await deps.loyalty!.redeem(ctx, {
    customerId: cart.customer_id!,
    orderId: id,
    points,
    currency,
    maxDiscount: totals.subtotal.amount - totals.discount.amount,
  });
  const discount = money(redemption.discount.amount, currency);
  await step('completed', { points: redemption.points, discount: toJson(discount) });
  return { ...totals, discount: add(totals.discount, discount), total: subtract(totals.total, discount) };
}

/** The points step's undo; the loyalty service releases once and ignores an order without points. */
export async function releasePoints(
  deps: OrderDeps,
  ctx: Ctx,
  checkoutId: string,
  reason: string,
): Promise<void> {
  await deps.loyalty?.releaseRedemption(ctx, checkoutId, reason);
}
