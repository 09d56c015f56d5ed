import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { cancelDue } from '../app/carrier-cancel.js';
import type { ShipmentDeps } from '../app/deps.js';
import { bookDue } from '../app/shipment-booking.js';

/**
 * shipment-booking (SHIPPING_SHIPMENT_RETRY_CRON, every minute): one batch of due bookings
 * (`created` ones a kick missed, `carrier_pending` ones past their backoff) and one batch of due
 * carrier cancellations. Rows are claimed with a lease (SKIP LOCKED + conditional update), so a
 * kick, this job and another replica's run never work on the same shipment at once.
 */
export function shipmentBookingJob(deps: ShipmentDeps, cron: string): JobDeclaration {
  return {
    name: 'shipment-booking',
    cron,
    async handler(ctx) {
      const booked = await bookDue(deps, ctx.signal);
      const cancelled = await cancelDue(deps, ctx.signal);
      return { items: booked + cancelled };
    },
  };
}
