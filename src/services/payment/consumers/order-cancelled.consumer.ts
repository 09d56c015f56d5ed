import { defineConsumer } from '../../../platform/eventing/index.js';
import type { KickQueue } from '../../../platform/eventing/kick-queue.js';
import type { PaymentDeps } from '../app/deps.js';
import { settleRequest } from '../app/settle-cancelled-order.js';
import type { PaymentDB } from '../data/tables.js';

/**
 * `orders.order.status_changed` with `cancelled` → a settlement request for the order (void what is
 * authorized, refund what is captured). Recorded in the inbox transaction, once per order (a
 * redelivery or a second `cancelled` changes nothing: G4); `cancelled` is terminal, so no stale
 * sequence can follow it. The provider calls run outside the transaction: kicked right after it
 * (a captured order's refund starts at once), with the order-settlement job as the safety net.
 */
export const orderCancelledConsumer = (deps: PaymentDeps, kicks: KickQueue) =>
  defineConsumer<'orders.order.status_changed', PaymentDB>({
    subscription: 'payment.order-cancelled',
    topic: 'orders.order.status_changed',
    accepts: (event) => event.data.newStatus === 'cancelled',
    async handle(tx, event, ctx) {
      const now = deps.clock.now();
      await tx
        .insertInto('order_settlements')
        .values({
          order_id: event.data.orderId,
          reason: event.data.reason?.slice(0, 500) ?? null,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('order_id').doNothing())
        .execute();
      ctx.logger.debug({ orderId: event.data.orderId }, 'cancelled order queued for settlement');
      const orderId = event.data.orderId;
      ctx.afterCommit(() => kicks.kick(`settle:${orderId}`, () => settleRequest(deps, orderId, deps.logger)));
    },
  });
