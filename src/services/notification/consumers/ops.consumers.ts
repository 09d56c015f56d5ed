import type { NotificationDeps } from '../app/deps.js';
import type { Background } from '../app/messages.js';
import { orderLinks } from '../domain/links.js';
import { messageConsumer } from './message-consumer.js';

/** Operator messages from events: low stock, stock drift corrected, missed ship-by SLA, manual shipments. */
export function opsConsumers(deps: NotificationDeps, background: Background) {
  const links = orderLinks(deps.storefrontUrl);
  const operators = { kind: 'operators' as const };

  // Each fall below the threshold is its own announcement: keyed by the event.
  const stockLow = messageConsumer(deps, background, {
    subscription: 'notification.stock-low',
    topic: 'warehouse.stock.low',
    message: (event) => ({
      sourceKey: `event:${event.id}`,
      template: 'ops_stock_low',
      target: operators,
      data: { ...event.data },
    }),
  });

  const stockReconciled = messageConsumer(deps, background, {
    subscription: 'notification.stock-reconciled',
    topic: 'warehouse.stock.reconciled',
    message: (event) => ({
      sourceKey: `event:${event.id}`,
      template: 'ops_stock_reconciled',
      target: operators,
      data: { ...event.data },
    }),
  });

  const slaBreach = messageConsumer(deps, background, {
    subscription: 'notification.sla-breach',
    topic: 'fulfillments.fulfillment.sla_breach',
    message: ({ data: d }) => ({
      sourceKey: `sla:${d.fulfillmentId}:${d.shipBy}`,
      template: 'ops_sla_breach',
      target: operators,
      data: { ...d, shortId: links.shortId(d.orderId) },
    }),
  });

  /** SHIP-P0-01: the carrier stayed down through its retries and the shipment fell back to manual. */
  const manualShipment = messageConsumer(deps, background, {
    subscription: 'notification.shipment-manual',
    topic: 'shipping.shipment.status_changed',
    message: ({ data: d }) =>
      d.newStatus !== 'manual'
        ? null
        : {
            sourceKey: `shipment:${d.shipmentId}:manual`,
            template: 'ops_shipment_manual',
            target: operators,
            data: {
              shipmentId: d.shipmentId,
              orderId: d.orderId,
              shortId: links.shortId(d.orderId),
              carrier: d.carrierCode,
            },
          },
  });

  return [stockLow, stockReconciled, slaBreach, manualShipment];
}
