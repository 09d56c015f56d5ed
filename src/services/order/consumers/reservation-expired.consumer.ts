import { defineConsumer } from '../../../platform/eventing/index.js';
import type { LifecycleDeps } from '../app/deps.js';
import { applyToOrder } from '../app/order-transition.js';
import type { OrderDB } from '../data/tables.js';

export const RESERVATION_EXPIRED = 'reservation_expired';

/**
 * `warehouse.inventory.reservation_expired` → cancel the unpaid order (its stock is already back).
 * Also a `confirmed` order whose reservation expired before the warehouse applied the
 * confirmation (the race 02-events.md allows: an expired reservation cannot be confirmed) — it has
 * no stock, so it is cancelled and the payment service refunds it. Later statuses are untouched.
 */
export const reservationExpiredConsumer = (deps: Pick<LifecycleDeps, 'clock' | 'metrics'>) =>
  defineConsumer<'warehouse.inventory.reservation_expired', OrderDB>({
    subscription: 'order.reservation-expired',
    topic: 'warehouse.inventory.reservation_expired',
    async handle(tx, event, ctx) {
      const { orderId, reservationIds } = event.data;
      const now = deps.clock.now();
      const moved = await applyToOrder(tx, orderId, now, (o) =>
        (o.status === 'pending' || o.status === 'confirmed') && reservationIds.includes(o.reservation_id)
          ? {
              to: 'cancelled',
              reason: RESERVATION_EXPIRED,
              set: {
                cancelled_at: now,
                cancelled_by: 'system',
                cancel_reason: RESERVATION_EXPIRED,
                // Expired means released: nothing left for reservation-cleanup to do.
                reservation_released_at: now,
                ...(o.capture_state === 'scheduled'
                  ? { capture_state: 'failed' as const, capture_next_at: null }
                  : {}),
              },
            }
          : undefined,
      );
      if (moved) deps.metrics.cancellations.inc({ reason: RESERVATION_EXPIRED });
      ctx.logger.debug({ orderId, cancelled: Boolean(moved) }, 'reservation expired');
    },
  });
