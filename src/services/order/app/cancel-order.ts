import type { Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { isOwner, type Requester } from '../domain/cart-token.js';
import { ADMIN_CANCELLABLE, OWNER_CANCELLABLE } from '../domain/order-status.js';
import type { LifecycleDeps } from './deps.js';
import { applyToOrder } from './order-transition.js';
import { loadOrderView, type OrderView } from './order-view.js';

/** Who asks to cancel: the order's owner (guest token or customer) or an admin with orders:write. */
export type Canceller = { kind: 'owner'; who: Requester } | { kind: 'admin'; adminId: string };

/**
 * POST /orders/{id}/cancel (OR-P1-04, 04-services.md "Cancellation"). The owner may cancel within
 * ORDER_CANCELLATION_WINDOW_MINUTES of placing the order and before fulfillment started (pending,
 * confirmed); an admin until something shipped (pending, confirmed, processing). The change is one
 * conditional update with its status event; the event drives everything else: the warehouse
 * releases the stock, the payment service voids or refunds, fulfillment and shipping (when they
 * exist) cancel their work.
 */
export async function cancelOrder(
  ctx: Ctx,
  deps: LifecycleDeps,
  orderId: string,
  by: Canceller,
  reason: string,
): Promise<OrderView> {
  const order = await orders.findOrder(deps.db, orderId);
  // G9: someone else's order answers exactly like a missing one.
  if (
    !order ||
    (by.kind === 'owner' &&
      !isOwner({ tokenHash: order.guest_token_hash, customerId: order.customer_id }, by.who))
  )
    throw notFound('Order', orderId);
  const now = deps.clock.now();
  const allowed = by.kind === 'admin' ? ADMIN_CANCELLABLE : OWNER_CANCELLABLE;
  const check = (status: typeof order.status) => {
    if (!allowed.includes(status))
      throw new AppError(
        'conflict',
        'invalid_transition',
        by.kind === 'admin'
          ? `A ${status} order can no longer be cancelled`
          : `A ${status} order can no longer be cancelled by its owner`,
        { extra: { orderStatus: status } },
      );
  };
  check(order.status);
  if (by.kind === 'owner') {
    const windowMs = deps.config.ORDER_CANCELLATION_WINDOW_MINUTES * 60_000;
    if (now.getTime() - order.created_at.getTime() > windowMs)
      throw new AppError(
        'forbidden',
        'cancellation_window_expired',
        `Orders can be cancelled within ${deps.config.ORDER_CANCELLATION_WINDOW_MINUTES} minutes of placing them; contact support`,
      );
  }
  if (order.status === 'processing') {
    // 02-events.md: cancelled only "before anything shipped". A warehouse leg may have shipped
    // (in part) while another is still being packed; fulfillment knows.
    const legs = await deps.fulfillments.forOrder(orderId);
    if (legs.some((f) => f.hasShippedPackages))
      throw new AppError(
        'conflict',
        'order_partially_shipped',
        'Part of this order already left a warehouse; it can no longer be cancelled (return it once delivered)',
      );
  }
  const cancelledBy = by.kind === 'admin' ? 'admin' : 'customer';
  const updated = await transaction(deps.db, (tx) =>
    applyToOrder(tx, orderId, now, (current) => {
      check(current.status);
      return {
        to: 'cancelled',
        reason,
        set: {
          cancelled_at: now,
          cancelled_by: cancelledBy,
          cancel_reason: reason,
          ...(current.capture_state === 'scheduled'
            ? {
                capture_state: 'failed' as const,
                capture_next_at: null,
                capture_last_error: 'order cancelled',
              }
            : {}),
        },
      };
    }),
  );
  if (!updated) throw conflict(`Order ${orderId} changed while cancelling; retry`);
  deps.metrics.cancellations.inc({ reason: `by_${cancelledBy}` });
  ctx.logger.info({ orderId, by: cancelledBy }, 'order cancelled');
  return loadOrderView(deps.db, updated);
}
