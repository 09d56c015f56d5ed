import { defineConsumer } from '../../../platform/eventing/index.js';
import { claimOrderSequence } from '../../../platform/inbox/sequence-guard.js';
import type { ShipmentDeps } from '../app/deps.js';
import { cancelShipment, kickCarrierCancels } from '../app/shipment-cancel.js';
import { LockedShipments } from '../app/shipment-transition.js';
import type { ShipmentRow } from '../data/shipment.repository.js';
import type { ShippingDB } from '../data/tables.js';

/**
 * `orders.order.status_changed` `cancelled` → every shipment of the order not yet on the carrier's
 * truck (created, carrier_pending, label_created, manual) is cancelled in the inbox transaction;
 * labels the carrier holds are voided after the commit (kick, then the shipment-booking job).
 * Idempotent (G4: a second delivery finds nothing cancellable) and guarded by the order's
 * sequence (G6).
 */
export const orderStatusConsumer = (deps: ShipmentDeps) =>
  defineConsumer<'orders.order.status_changed', ShippingDB>({
    subscription: 'shipping.order-cancelled',
    topic: 'orders.order.status_changed',
    accepts: (event) => event.data.newStatus === 'cancelled',
    async handle(tx, event, ctx) {
      const { orderId, sequence } = event.data;
      const now = deps.clock.now();
      if (!(await claimOrderSequence(tx, orderId, sequence, now))) {
        ctx.logger.debug({ orderId, sequence }, 'stale order status ignored');
        return;
      }
      const locked = await LockedShipments.lock(tx, orderId);
      const cancelled: ShipmentRow[] = [];
      for (const row of locked.all()) {
        const done = await cancelShipment(
          tx,
          locked,
          row.id,
          { source: 'system', note: 'Order cancelled' },
          now,
        );
        if (done) cancelled.push(done);
      }
      if (cancelled.length > 0)
        ctx.logger.info({ orderId, cancelled: cancelled.length }, 'shipments cancelled with the order');
      ctx.afterCommit(() => kickCarrierCancels(deps, cancelled));
    },
  });
