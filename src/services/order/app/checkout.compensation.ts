import { type Ctx, systemCtx } from '../../../platform/context.js';
import { errorMessage } from '../../../platform/eventing/backoff.js';
import {
  type CompensationHandlers,
  recordFailedCompensation,
  recordStep,
  stepIdempotencyKey,
} from '../../../platform/eventing/index.js';
import type { PaymentView } from '../../payment/contract/client.js';
import { checkoutRepository as checkouts } from '../data/checkout.repository.js';
import { releaseCheckoutPromotions } from './checkout.promotion-step.js';
import { compensationPolicy, type OrderDeps, SAGA_TYPE } from './deps.js';
import { ACTION_RELEASE_POINTS, REDEEM_STEP, releasePoints } from './loyalty-redemption.step.js';

/** Payment states that still hold or may still take money: these must be voided on failure. */
const LIVE_PAYMENT: ReadonlySet<PaymentView['status']> = new Set(['authorized', 'pending']);

export const ACTION_VOID = 'void-authorization';
export const ACTION_RELEASE = 'release-reservation';

export interface VoidPayload {
  checkoutId: string;
}
export interface ReleasePayload {
  checkoutId: string;
  reservationId: string;
}

/**
 * Voids every live payment of the checkout (the order id). Looked up by order rather than by the
 * id authorize returned, because a timed-out authorize may have reached the provider without
 * telling us (tok_timeout). The void key derives from the saga (`checkout:{id}:void`), so a retry
 * never voids twice. Throws if any void fails.
 */
export async function voidCheckoutPayments(deps: OrderDeps, ctx: Ctx, checkoutId: string): Promise<number> {
  const payments = await deps.payment.paymentsForOrder(checkoutId);
  const live = payments.filter((p) => LIVE_PAYMENT.has(p.status));
  const base = stepIdempotencyKey(SAGA_TYPE, checkoutId, 'void');
  for (const p of live) {
    // One payment per checkout is the rule (authorize is idempotent per key); should there be more,
    // each gets its own void key so the provider's dedup cannot swallow the second.
    await deps.payment.void(ctx, p.id, payments.length === 1 ? base : `${base}:${p.id}`);
  }
  return live.length;
}

export async function releaseCheckoutReservation(
  deps: OrderDeps,
  ctx: Ctx,
  reservationId: string,
  reason: string,
): Promise<void> {
  await deps.warehouse.release(ctx, reservationId, reason);
}

/**
 * Undoes what a failed checkout did, in reverse order: the authorization first, then the
 * reservation (G5, OR-P0-03). A compensation that fails is recorded in `failed_compensations` for
 * the platform retry job (handlers below) — never dropped. Marks the checkout `failed`.
 */
export async function compensateCheckout(
  deps: OrderDeps,
  ctx: Ctx,
  checkout: {
    id: string;
    reservationId: string | null;
    authorizeStarted: boolean;
    /** Loyalty points were (perhaps) redeemed: give them back. */
    pointsRedeemStarted?: boolean;
    /** Recovery passes true: releasing usage that was never reserved changes nothing. */
    promotionsReserved: boolean;
  },
  reason: string,
): Promise<void> {
  const now = () => deps.clock.now();
  await checkouts.update(deps.db, checkout.id, {
    status: 'compensating',
    error: reason.slice(0, 2000),
    now: now(),
  });
  const policy = compensationPolicy(deps.config);
  const step = async (
    name: 'authorize' | 'reserve' | typeof REDEEM_STEP,
    action: string,
    payload: VoidPayload | ReleasePayload,
    run: () => Promise<unknown>,
  ) => {
    try {
      await run();
      await recordStep(
        deps.db,
        { sagaType: SAGA_TYPE, sagaId: checkout.id, step: name, status: 'compensated' },
        now(),
      );
    } catch (err) {
      ctx.logger.error(
        { err, checkoutId: checkout.id, action },
        'checkout compensation failed; recorded for retry',
      );
      await recordFailedCompensation(
        deps.db,
        { sagaType: SAGA_TYPE, sagaId: checkout.id, step: name, action, payload, error: err },
        policy,
        now(),
      );
      await recordStep(
        deps.db,
        {
          sagaType: SAGA_TYPE,
          sagaId: checkout.id,
          step: name,
          status: 'compensation_failed',
          error: errorMessage(err),
        },
        now(),
      );
    }
  };
  if (checkout.authorizeStarted)
    await step('authorize', ACTION_VOID, { checkoutId: checkout.id }, () =>
      voidCheckoutPayments(deps, ctx, checkout.id),
    );
  if (checkout.pointsRedeemStarted)
    await step(REDEEM_STEP, ACTION_RELEASE_POINTS, { checkoutId: checkout.id }, () =>
      releasePoints(deps, ctx, checkout.id, 'checkout_failed'),
    );
  if (checkout.reservationId) {
    const reservationId = checkout.reservationId;
    await step('reserve', ACTION_RELEASE, { checkoutId: checkout.id, reservationId }, () =>
      releaseCheckoutReservation(deps, ctx, reservationId, 'checkout_failed'),
    );
  }
  // Promotion usage last: it was reserved first (reverse order of the steps).
  if (checkout.promotionsReserved) await releaseCheckoutPromotions(deps, ctx, checkout.id);
  await checkouts.update(deps.db, checkout.id, { status: 'failed', now: now() });
}

/** Retry handlers for `failed_compensations` rows of this service (run by platform.compensation-retry). */
export function checkoutCompensations(deps: OrderDeps): CompensationHandlers {
  const ctx = (sagaId: string) => systemCtx(deps.logger, 'order.compensation', `compensation:${sagaId}`);
  const done = (sagaId: string, step: string) =>
    recordStep(deps.db, { sagaType: SAGA_TYPE, sagaId, step, status: 'compensated' }, deps.clock.now());
  return {
    [ACTION_VOID]: async (payload, meta) => {
      const { checkoutId } = payload as VoidPayload;
      await voidCheckoutPayments(deps, ctx(meta.sagaId), checkoutId);
      await done(meta.sagaId, meta.step);
    },
    [ACTION_RELEASE]: async (payload, meta) => {
      const { reservationId } = payload as ReleasePayload;
      await releaseCheckoutReservation(deps, ctx(meta.sagaId), reservationId, 'checkout_failed');
      await done(meta.sagaId, meta.step);
    },
    [ACTION_RELEASE_POINTS]: async (payload, meta) => {
      const { checkoutId } = payload as VoidPayload;
      await releasePoints(deps, ctx(meta.sagaId), checkoutId, 'checkout_failed');
      await done(meta.sagaId, meta.step);
    },
  };
}
