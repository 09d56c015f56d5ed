import { defineConsumer } from '../../../platform/eventing/index.js';
import type { KickQueue } from '../../../platform/eventing/kick-queue.js';
import { attemptCapture } from '../app/capture.js';
import type { LifecycleDeps } from '../app/deps.js';
import { lifecycleRepository as lifecycle } from '../data/order-lifecycle.repository.js';
import type { OrderDB } from '../data/tables.js';

/**
 * `orders.payment.capture_requested` (the order's own worker, 02-events.md): schedules the first
 * capture try in the inbox transaction — once per order, so a redelivered or duplicated request
 * changes nothing (G4) — and hands the try to the capture runner right after, outside the
 * transaction (the provider call cannot run inside it). The capture-retry job takes every try a
 * kick did not.
 */
export const captureRequestedConsumer = (deps: LifecycleDeps, kicks: KickQueue) =>
  defineConsumer<'orders.payment.capture_requested', OrderDB>({
    subscription: 'order.capture-requested',
    topic: 'orders.payment.capture_requested',
    async handle(tx, event, ctx) {
      const { orderId } = event.data;
      const armed = await lifecycle.armCapture(tx, orderId, deps.clock.now());
      ctx.logger.debug({ orderId, armed }, 'capture requested');
      if (armed)
        ctx.afterCommit(() =>
          kicks.kick(`capture:${orderId}`, async () => (await attemptCapture(deps, orderId)) !== 'not_due'),
        );
    },
  });
