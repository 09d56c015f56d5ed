import { defineConsumer } from '../../../platform/eventing/index.js';
import type { ShipmentDeps } from '../app/deps.js';
import { bookShipment } from '../app/shipment-booking.js';
import { kickCarrierCancels } from '../app/shipment-cancel.js';
import { cancelForPackage, createForPackage } from '../app/shipment-creation.js';
import type { ShippingDB } from '../data/tables.js';

/**
 * `fulfillment.package_status_changed` (SHIP-P0-01): `ready_to_ship` → a `created` shipment
 * (idempotent on the package id, G4), booked with the carrier right after the commit by a kick and,
 * durably, by the shipment-booking job — a carrier call never runs in the inbox transaction, and a
 * carrier failure never fails this consumer. `cancelled` → the package's shipment is cancelled
 * unless the carrier already took it.
 */
export const packageStatusConsumer = (deps: ShipmentDeps) =>
  defineConsumer<'fulfillment.package_status_changed', ShippingDB>({
    subscription: 'shipping.package-status',
    topic: 'fulfillment.package_status_changed',
    async handle(tx, event, ctx) {
      const p = event.data;
      const now = deps.clock.now();
      if (p.newStatus === 'ready_to_ship') {
        const created = await createForPackage(tx, p, now);
        if (!created) return;
        ctx.logger.info(
          { shipmentId: created.id, packageId: p.packageId, carrier: created.carrier },
          'shipment created',
        );
        ctx.afterCommit(() =>
          deps.kicks.kick(
            `book:${created.id}`,
            async () => (await bookShipment(deps, created.id)) !== 'missing',
          ),
        );
      } else if (p.newStatus === 'cancelled') {
        const cancelled = await cancelForPackage(tx, p, now, ctx.logger);
        if (!cancelled) return;
        ctx.logger.info(
          { shipmentId: cancelled.id, packageId: p.packageId },
          'shipment cancelled with its package',
        );
        ctx.afterCommit(() => kickCarrierCancels(deps, [cancelled]));
      }
    },
  });
