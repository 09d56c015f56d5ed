import { defineConsumer } from '../../../platform/eventing/index.js';
import { claimOrderSequence } from '../../../platform/inbox/sequence-guard.js';
import type { FulfillmentDeps } from '../app/deps.js';
import { cancelOrderFulfillments, createFulfillments, type OrderLine } from '../app/fulfillment-creation.js';
import type { FulfillmentDB } from '../data/tables.js';

/**
 * `orders.order.status_changed` (02-events.md): `confirmed` → one fulfillment per warehouse of the
 * order's items (FUL-P0-01, idempotent) with the carrier of its shipping method; `cancelled` →
 * every fulfillment not yet shipped is cancelled. All in the inbox transaction (G4); an event not newer than the last applied for the
 * order changes nothing (G6), so a late `confirmed` after `cancelled` creates nothing.
 */
export const orderStatusConsumer = (deps: FulfillmentDeps) =>
  defineConsumer<'orders.order.status_changed', FulfillmentDB>({
    subscription: 'fulfillment.order-confirmed',
    topic: 'orders.order.status_changed',
    accepts: (event) => event.data.newStatus === 'confirmed' || event.data.newStatus === 'cancelled',
    async handle(tx, event, ctx) {
      const { orderId, newStatus, sequence, items } = event.data;
      if (!(await claimOrderSequence(tx, orderId, sequence, deps.clock.now()))) {
        ctx.logger.debug({ orderId, sequence }, 'stale order status ignored');
        return;
      }
      if (newStatus === 'cancelled') {
        const { cancelled, partiallyShipped } = await cancelOrderFulfillments(tx, deps, orderId);
        if (cancelled > 0) ctx.logger.info({ orderId, cancelled }, 'fulfillments cancelled with the order');
        // The order should not have been cancellable (FulfillmentClient.forOrder says so): ops must
        // decide about goods already with the carrier; nothing here may pretend they came back.
        if (partiallyShipped.length > 0)
          ctx.logger.error(
            { orderId, fulfillmentIds: partiallyShipped },
            'order cancelled while packages were with the carrier: those fulfillments were kept',
          );
        return;
      }
      const lines: OrderLine[] = [];
      for (const i of items) {
        // Every line of a placed order was allocated by the warehouse at checkout; a line without
        // one is a publisher bug: fail loudly (retried, then dead-lettered: G5), never guess.
        if (!i.warehouseId)
          throw new Error(`order ${orderId} confirmed with sku ${i.sku} without a warehouseId`);
        lines.push({ sku: i.sku, quantity: i.quantity, warehouseId: i.warehouseId });
      }
      const created = await createFulfillments(tx, deps, orderId, lines, event.data.shippingCarrier ?? null);
      if (created > 0) ctx.logger.info({ orderId, created }, 'fulfillments created');
    },
  });
