import { defineConsumer } from '../../../platform/eventing/index.js';
import type { FulfillmentDeps } from '../app/deps.js';
import { applyShipmentProgress } from '../app/shipment-progress.js';
import type { FulfillmentDB } from '../data/tables.js';
import { carrierHasIt } from '../domain/package-progress.js';

/**
 * `shipping.shipment.status_changed` (02-events.md): once the carrier has a package's parcel
 * (in_transit or later) the package is `shipped`, and its fulfillment too when every live package
 * is (`fulfillments.fulfillment.status_changed` with allReachedStatus over the order). Earlier
 * statuses (label created, manual handling, cancelled) change nothing here. A shipment that was
 * not created from one of our packages (packageId null) is not ours to track.
 */
export const shipmentStatusConsumer = (deps: FulfillmentDeps) =>
  defineConsumer<'shipping.shipment.status_changed', FulfillmentDB>({
    subscription: 'fulfillment.shipment-status',
    topic: 'shipping.shipment.status_changed',
    async handle(tx, event, ctx) {
      const { shipmentId, orderId, fulfillmentId, packageId, newStatus } = event.data;
      if (!packageId) {
        ctx.logger.debug({ shipmentId, orderId }, 'shipment without a package ignored');
        return;
      }
      if (!carrierHasIt(newStatus)) return;
      const outcome = await applyShipmentProgress(tx, deps, {
        orderId,
        fulfillmentId,
        packageId,
        delivered: false,
      });
      if (outcome.kind === 'package_cancelled')
        ctx.logger.warn(
          { shipmentId, packageId, newStatus },
          'carrier has a parcel whose package was cancelled: left cancelled',
        );
      else if (outcome.packageShipped)
        ctx.logger.info({ shipmentId, packageId, moves: outcome.moves }, 'package shipped');
    },
  });
