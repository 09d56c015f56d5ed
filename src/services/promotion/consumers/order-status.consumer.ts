import { defineConsumer } from '../../../platform/eventing/index.js';
import { claimOrderSequence } from '../../../platform/inbox/sequence-guard.js';
import type { PromotionDeps } from '../app/deps.js';
import { confirmUsage, releaseUsage } from '../app/usage.js';
import type { PromotionDB } from '../data/tables.js';

/** Statuses that give usage back (04-services.md: cancelled, refunded; payment failed cancels the order). */
const RELEASING = new Set(['cancelled', 'refunded']);

/**
 * `orders.order.status_changed`: `delivered` confirms the order's reserved usage; `cancelled` and
 * `refunded` release it (reserved or confirmed). In the inbox transaction, so a redelivered event
 * is skipped (G4); the redemption's status is the second guard (a repeat finds nothing to move),
 * and the order's sequence drops stale events (G6).
 */
export const orderStatusConsumer = (deps: PromotionDeps) =>
  defineConsumer<'orders.order.status_changed', PromotionDB>({
    subscription: 'promotion.order-status',
    topic: 'orders.order.status_changed',
    accepts: (event) => event.data.newStatus === 'delivered' || RELEASING.has(event.data.newStatus),
    async handle(tx, event, ctx) {
      const { orderId, newStatus, sequence } = event.data;
      if (!(await claimOrderSequence(tx, orderId, sequence, deps.clock.now()))) {
        ctx.logger.debug({ orderId, sequence }, 'stale order status ignored');
        return;
      }
      const changed =
        newStatus === 'delivered'
          ? await confirmUsage(deps, tx, orderId)
          : await releaseUsage(deps, tx, orderId, ['reserved', 'confirmed'], `order_${newStatus}`);
      if (changed === 0) return;
      ctx.logger.info({ orderId, newStatus, changed }, 'promotion usage updated');
      // Cart views read the counters through the rules cache: drop it once the change is visible.
      ctx.afterCommit(() => deps.rulesCache.clear());
    },
  });
