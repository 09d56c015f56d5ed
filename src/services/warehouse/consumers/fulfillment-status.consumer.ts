import { defineConsumer } from '../../../platform/eventing/index.js';
import type { WarehouseDeps } from '../app/deps.js';
import { settleWarehouseIn } from '../app/warehouse-settlement.js';
import type { WarehouseDB } from '../data/tables.js';

/**
 * `fulfillments.fulfillment.status_changed` (02-events.md, 04-services.md "warehouse"): a
 * fulfillment ships from one warehouse, so `shipped` deducts that warehouse's units of the order's
 * reservation (on_hand and reserved, exactly once: WH-P0-02) and `cancelled` gives them back. In
 * the inbox transaction (G4); item settlements only move forward, so a repeated or reordered event
 * changes nothing (G6) without a sequence. Other statuses are fulfillment's own business.
 */
export const fulfillmentStatusConsumer = (deps: WarehouseDeps) =>
  defineConsumer<'fulfillments.fulfillment.status_changed', WarehouseDB>({
    subscription: 'warehouse.fulfillment-status',
    topic: 'fulfillments.fulfillment.status_changed',
    async handle(tx, event, ctx) {
      const { orderId, warehouseId, fulfillmentId, newStatus } = event.data;
      if (newStatus !== 'shipped' && newStatus !== 'cancelled') return;
      const outcome = await settleWarehouseIn(
        tx,
        deps,
        orderId,
        warehouseId,
        newStatus === 'shipped' ? 'fulfilled' : 'released',
        `fulfillment:${fulfillmentId}`,
      );
      if (outcome.kind === 'settled')
        ctx.logger.info(
          { orderId, warehouseId, fulfillmentId, newStatus, ...outcome },
          newStatus === 'shipped' ? 'shipped stock deducted' : 'cancelled fulfillment stock released',
        );
    },
  });
