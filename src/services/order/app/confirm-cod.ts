import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import type { LifecycleDeps } from './deps.js';
import { applyToOrder } from './order-transition.js';
import { loadOrderView, type OrderView } from './order-view.js';

export const COD_CONFIRMED_BY_ADMIN = 'cod_confirmed_by_admin';

/**
 * An operator confirms a pending COD order (verified by phone, say): pending → confirmed with its
 * status event, the same transition the cod-confirmation job makes when auto-confirmation is on.
 * The payment stays `pending` until the cash is collected (payments.payment.confirmed).
 */
export async function confirmCodOrder(ctx: Ctx, deps: LifecycleDeps, orderId: string): Promise<OrderView> {
  const now = deps.clock.now();
  const updated = await transaction(deps.db, (tx) =>
    applyToOrder(tx, orderId, now, (o) => {
      if (o.payment_method !== 'cod' || o.status !== 'pending')
        throw new AppError(
          'conflict',
          'invalid_transition',
          o.payment_method !== 'cod'
            ? 'Only cash-on-delivery orders are confirmed by hand; card and transfer orders confirm when paid'
            : `A ${o.status} order cannot be confirmed`,
        );
      return { to: 'confirmed', reason: COD_CONFIRMED_BY_ADMIN, set: { confirmed_at: now } };
    }),
  );
  if (!updated) throw notFound('Order', orderId);
  ctx.logger.info({ orderId }, 'COD order confirmed by an operator');
  return loadOrderView(deps.db, updated);
}
