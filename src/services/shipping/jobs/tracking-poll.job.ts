import type { JobDeclaration } from '../../../platform/eventing/index.js';
import type { ShipmentDeps } from '../app/deps.js';
import { pollTracking } from '../app/tracking.js';

/**
 * tracking-poll (SHIPPING_TRACKING_POLL_CRON, every 10 min): asks carriers that track about every
 * active shipment (label_created, in_transit, out_for_delivery, failed_delivery), so a shipment
 * moves even when a webhook was lost. Same guard as webhooks: stale or repeated scans change nothing.
 */
export function trackingPollJob(deps: ShipmentDeps, cron: string): JobDeclaration {
  return {
    name: 'tracking-poll',
    cron,
    handler: async (ctx) => ({ items: await pollTracking(deps, ctx.signal) }),
  };
}
