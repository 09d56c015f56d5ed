import type { Ctx } from '../../../platform/context.js';
import {
  type IdempotentResult,
  requestHash,
  withIdempotency,
} from '../../../platform/idempotency/idempotency.js';
import { withSpan } from '../../../platform/observability/tracing.js';
import type { Requester } from '../domain/cart-token.js';
import { loadOwnedCart } from './cart.service.js';
import { type CheckoutInput, prepareCheckout, runCheckout } from './checkout.saga.js';
import { recoverCheckout } from './checkout-recovery.js';
import { CHECKOUT_SCOPE, idempotencyOptions, type OrderDeps } from './deps.js';

/**
 * POST /checkout: ownership first (the cart's token; someone else's cart is 404 and never reaches
 * the idempotency store, so a replay cannot leak an order), then the saga at most once per
 * Idempotency-Key and body (G2). A replay answers from the stored response before any validation.
 */
export async function checkout(
  ctx: Ctx,
  deps: OrderDeps,
  who: Requester,
  key: string,
  input: CheckoutInput,
): Promise<IdempotentResult> {
  const cart = await loadOwnedCart(deps, input.cartId, who);
  return withIdempotency(
    deps.db,
    { scope: CHECKOUT_SCOPE, key, requestHash: requestHash(input) },
    idempotencyOptions(deps),
    // One span for the saga's steps (reserve, authorize, create) under the request's (tracing.ts).
    (claim, prepared) =>
      withSpan('checkout saga', () => runCheckout(ctx, deps, cart, input, claim, prepared!), {
        attributes: { 'orderline.checkout.id': prepared!.id },
      }),
    {
      // Validate and quote before the key is claimed; the claim, the checkout row and its first
      // steps then commit together.
      prepare: () => prepareCheckout(deps, cart, input, key),
      // A crashed earlier attempt with this key: compensate what it left before running again.
      recover: async ({ resourceId }) => {
        if (resourceId) await recoverCheckout(deps, ctx, resourceId);
      },
      onReleaseError: (err) =>
        ctx.logger.error(
          { err, key },
          'could not release the idempotency key; it frees itself after the lease',
        ),
    },
  );
}
