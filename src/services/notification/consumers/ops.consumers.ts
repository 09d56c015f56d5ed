import { defineConsumer } from '../../../platform/eventing/index.js';
import type { NotificationDeps } from '../app/deps.js';
import { type Background, queueForEvent } from '../app/messages.js';
import type { NotificationDB } from '../data/tables.js';
import { orderLinks } from '../domain/links.js';

/** Operator messages from events: low stock, stock drift corrected, missed ship-by SLA, manual shipments. */
export function opsConsumers(deps: NotificationDeps, background: Background) {
  const links = orderLinks(deps.storefrontUrl);
  const operators = { kind: 'operators' as const };

  const stockLow = defineConsumer<'warehouse.stock.low', NotificationDB>({
    subscription: 'notification.stock-low',
    topic: 'warehouse.stock.low',
    async handle(tx, event, ctx) {
      // Each fall below the threshold is its own announcement: keyed by the event.
      await queueForEvent(
        tx,
        deps,
        { background, afterCommit: ctx.afterCommit },
        {
          sourceKey: `event:${event.id}`,
          template: 'ops_stock_low',
          target: operators,
          data: { ...event.data },
        },
      );
    },
  });

  const stockReconciled = defineConsumer<'warehouse.stock.reconciled', NotificationDB>({
    subscription: 'notification.stock-reconciled',
    topic: 'warehouse.stock.reconciled',
    async handle(tx, event, ctx) {
      await queueForEvent(
        tx,
        deps,
        { background, afterCommit: ctx.afterCommit },
        {
          sourceKey: `event:${event.id}`,
          template: 'ops_stock_reconciled',
          target: operators,
          data: { ...event.data },
        },
      );
    },
  });

  const slaBreach = defineConsumer<'fulfillments.fulfillment.sla_breach', NotificationDB>({
    subscription: 'notification.sla-breach',
    topic: 'fulfillments.fulfillment.sla_breach',
    async handle(tx, event, ctx) {
      const d = event.data;
      await queueForEvent(
        tx,
        deps,
        { background, afterCommit: ctx.afterCommit },
        {
          sourceKey: `sla:${d.fulfillmentId}:${d.shipBy}`,
          template: 'ops_sla_breach',
          target: operators,
          data: { ...d, shortId: links.shortId(d.orderId) },
        },
      );
    },
  });

  /** SHIP-P0-01: the carrier stayed down through its retries and the shipment fell back to manual. */
  const manualShipment = defineConsumer<'shipping.shipment.status_changed', NotificationDB>({
    subscription: 'notification.shipment-manual',
    topic: 'shipping.shipment.status_changed',
    async handle(tx, event, ctx) {
      const d = event.data;
      if (d.newStatus !== 'manual') return;
      await queueForEvent(
        tx,
        deps,
        { background, afterCommit: ctx.afterCommit },
        {
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
      );
    },
  });

  return [stockLow, stockReconciled, slaBreach, manualShipment];
}
