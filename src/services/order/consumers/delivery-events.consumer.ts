import type { EventPayload } from '../../../contracts/index.js';
import { type ConsumerContext, defineConsumer } from '../../../platform/eventing/index.js';
import type { KickQueue } from '../../../platform/eventing/kick-queue.js';
import { applyFulfillmentChange, settleDelivery } from '../app/delivery.js';
import type { LifecycleDeps } from '../app/deps.js';
import { deliveryRepository as delivery } from '../data/delivery.repository.js';
import { shipmentRepository as shipments } from '../data/shipment.repository.js';
import type { OrderDB } from '../data/tables.js';

type Shipment = EventPayload<'shipping.shipment.status_changed'>;

const shipmentRow = (s: Omit<Shipment, 'oldStatus' | 'newStatus'>, status: string) => ({
  id: s.shipmentId,
  order_id: s.orderId,
  fulfillment_id: s.fulfillmentId,
  carrier: s.carrierCode,
  tracking_number: s.trackingNumber,
  status,
  version: s.version,
  updated_at: new Date(s.occurredAt),
});

/**
 * What fulfillment and shipping tell the order after confirmation (02-events.md): fulfillment
 * progress → processing / shipped; shipments → the order's tracking copy, and delivery → the
 * `delivered` check (against shipping, after the transaction: a consumer never calls another
 * service inside its own). Every handler is idempotent and order-insensitive (G4, G6).
 */
export function deliveryEventConsumers(deps: LifecycleDeps, kicks: KickQueue) {
  const kickSettle = (ctx: ConsumerContext, orderId: string) =>
    ctx.afterCommit(() => kicks.kick(`delivery:${orderId}`, async () => settleDelivery(deps, orderId)));
  return [
    defineConsumer<'fulfillments.fulfillment.status_changed', OrderDB>({
      subscription: 'order.fulfillment-status',
      topic: 'fulfillments.fulfillment.status_changed',
      async handle(tx, event, ctx) {
        const shippedAwaitingDelivery = await applyFulfillmentChange(tx, deps, event.data);
        ctx.logger.debug(
          { orderId: event.data.orderId, fulfillment: event.data.newStatus },
          'fulfillment progress applied',
        );
        if (shippedAwaitingDelivery) kickSettle(ctx, event.data.orderId);
      },
    }),
    defineConsumer<'shipping.shipment.status_changed', OrderDB>({
      subscription: 'order.shipment-status',
      topic: 'shipping.shipment.status_changed',
      async handle(tx, event) {
        await shipments.upsert(tx, shipmentRow(event.data, event.data.newStatus));
      },
    }),
    defineConsumer<'shipping.shipment.delivered', OrderDB>({
      subscription: 'order.shipment-delivered',
      topic: 'shipping.shipment.delivered',
      async handle(tx, event, ctx) {
        const { orderId, allShipmentsDelivered } = event.data;
        await shipments.upsert(tx, shipmentRow(event.data, 'delivered'));
        if (!allShipmentsDelivered) return;
        await delivery.markAllShipmentsDelivered(tx, orderId, deps.clock.now());
        kickSettle(ctx, orderId);
      },
    }),
  ];
}
