import { defineConsumer } from '../../../platform/eventing/index.js';
import type { FulfillmentDeps } from '../app/deps.js';
import { applyShipmentProgress } from '../app/shipment-progress.js';
import type { FulfillmentDB } from '../data/tables.js';

/**
 * `shipping.shipment.delivered` (04-services.md: "complete, idempotent"): the package records its
 * delivery, and its fulfillment is `completed` once every live package was delivered. A delivery
 * that overtook (or replaced a missed) in-transit event ships the package first, so the fulfillment
 * goes `ready_to_ship → shipped → completed` with both status events.
 */
export const shipmentDeliveredConsumer = (deps: FulfillmentDeps) =>
  defineConsumer<'shipping.shipment.delivered', FulfillmentDB>({
    subscription: 'fulfillment.shipment-delivered',
    topic: 'shipping.shipment.delivered',
    async handle(tx, event, ctx) {
      const { shipmentId, orderId, fulfillmentId, packageId } = event.data;
      if (!packageId) {
        ctx.logger.debug({ shipmentId, orderId }, 'delivered shipment without a package ignored');
        return;
      }
      const outcome = await applyShipmentProgress(tx, deps, {
        orderId,
        fulfillmentId,
        packageId,
        delivered: true,
      });
      if (outcome.kind === 'package_cancelled')
        ctx.logger.warn({ shipmentId, packageId }, 'a parcel whose package was cancelled was delivered');
      else if (outcome.packageDelivered)
        ctx.logger.info({ shipmentId, packageId, moves: outcome.moves }, 'package delivered');
    },
  });
