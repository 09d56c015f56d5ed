import { type Ctx, systemCtx } from '../../../platform/context.js';
import { sagaSteps, stepIdempotencyKey } from '../../../platform/eventing/index.js';
import {
  findIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  releaseKey,
  takeOverStale,
} from '../../../platform/idempotency/idempotency.js';
import { newId } from '../../../platform/ids.js';
import { cartRepository as carts } from '../data/cart.repository.js';
import { checkoutRepository as checkouts } from '../data/checkout.repository.js';
import { aggregateBySku } from '../domain/cart-totals.js';
import { compensateCheckout } from './checkout.compensation.js';
import { idempotencyOptions, type OrderDeps, SAGA_TYPE } from './deps.js';

/**
 * A checkout whose process crashed mid-saga (its Idempotency-Key stayed `in_progress` past the
 * lease) is compensated, never resumed: the stored steps say what ran. The payment is found by
 * order id (checked whatever the steps say: authorize is recorded only with its outcome); a
 * reservation whose id was never stored (crash right after the warehouse answered) is
 * found by re-reserving with the same reference — idempotent, so it returns that reservation — and
 * released. Then the checkout is `failed` and the key is free for the client's retry, which runs a
 * new checkout (G5: nothing left half-done).
 */
export async function recoverCheckout(deps: OrderDeps, ctx: Ctx, checkoutId: string): Promise<boolean> {
  const checkout = await checkouts.find(deps.db, checkoutId);
  if (!checkout || checkout.status === 'completed' || checkout.status === 'failed') return false;
  const steps = new Map((await sagaSteps(deps.db, SAGA_TYPE, checkoutId)).map((s) => [s.step, s]));
  let reservationId = checkout.reservation_id;
  if (!reservationId && steps.has('reserve'))
    reservationId = await findReservation(deps, ctx, checkout.id, checkout.cart_id);
  await compensateCheckout(
    deps,
    ctx,
    {
      id: checkoutId,
      reservationId,
      // The saga records `authorize` only with its outcome: whether it started is not known, so
      // every live payment of the checkout is voided (none: nothing to do).
      authorizeStarted: true,
      pointsRedeemStarted: steps.has('redeem-points'),
      // Whether the promotion step ran is not recorded before it answers: release by order id
      // (idempotent; nothing reserved → nothing released).
      promotionsReserved: true,
    },
    'abandoned: the checkout did not finish within its lease',
  );
  return true;
}

async function findReservation(deps: OrderDeps, ctx: Ctx, checkoutId: string, cartId: string) {
  const cart = await carts.findCart(deps.db, cartId);
  const items = await carts.listItems(deps.db, cartId);
  if (!cart?.shipping_address || items.length === 0) return null;
  const result = await deps.warehouse.reserve(ctx, {
    reference: stepIdempotencyKey(SAGA_TYPE, checkoutId, 'reserve'),
    orderId: checkoutId,
    items: aggregateBySku(items),
    shipTo: { country: cart.shipping_address.country, postalCode: cart.shipping_address.postalCode },
    // Only found to be released at once: the shortest hold the warehouse accepts.
    ttlSeconds: 1,
  });
  return result.ok ? result.reservationId : null;
}

/**
 * Job body (checkout-recovery): one bounded page of checkouts untouched for longer than the lease.
 * A checkout whose key is still held by a live request is skipped; otherwise the key is fenced
 * (so a slow holder can no longer complete), the checkout compensated and the key released.
 */
export async function recoverAbandonedCheckouts(deps: OrderDeps, batchSize: number): Promise<number> {
  const opts = idempotencyOptions(deps);
  const before = new Date(deps.clock.now().getTime() - opts.leaseMs);
  const stale = await checkouts.listStale(deps.db, before, undefined, batchSize);
  let recovered = 0;
  for (const c of stale) {
    const ctx = systemCtx(deps.logger, 'order.checkout-recovery', `recovery:${c.id}`);
    const target = { scope: c.idempotency_scope, key: c.idempotency_key, resourceId: c.id };
    const fence = newId();
    const taken = await takeOverStale(deps.db, target, opts, fence);
    if (!taken) {
      const row = await findIdempotencyKey(deps.db, target.scope, target.key);
      if (row?.status === 'in_progress' && row.resource_id === c.id) continue; // its holder is alive
    }
    if (await recoverCheckout(deps, ctx, c.id)) recovered++;
    if (taken) await releaseKey(deps.db, { ...target, lockId: fence });
  }
  return recovered;
}

/** Job body (idempotency-purge): keys past IDEMPOTENCY_KEY_RETENTION_HOURS, one bounded batch. */
export const purgeIdempotencyKeys = (deps: OrderDeps, batchSize: number) =>
  purgeExpiredIdempotencyKeys(deps.db, deps.clock.now(), batchSize);
