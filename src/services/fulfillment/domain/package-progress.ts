import type { EventPayload } from '../../../contracts/index.js';
import type { FulfillmentStatus } from './fulfillment-status.js';

/** Package status (`fulfillment.package_status_changed`); a delivered package stays `shipped` with a delivery time. */
export const PACKAGE_STATUSES = ['open', 'packed', 'ready_to_ship', 'shipped', 'cancelled'] as const;
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

type ShipmentStatus = EventPayload<'shipping.shipment.status_changed'>['newStatus'];

/**
 * Shipment statuses at which the carrier has the parcel: its package has left the warehouse
 * (02-events.md: "in_transit or later"). A failed delivery or a return to sender still left the
 * building; `created`, `label_created`, `carrier_pending`, `manual` and `cancelled` did not.
 */
const CARRIER_HAS_IT: ReadonlySet<ShipmentStatus> = new Set<ShipmentStatus>([
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_delivery',
  'returned_to_sender',
]);

export const carrierHasIt = (status: ShipmentStatus): boolean => CARRIER_HAS_IT.has(status);

export interface PackageProgress {
  status: PackageStatus;
  delivered: boolean;
}

/**
 * What a fulfillment's packages say about it. Cancelled packages ship nothing and do not hold it
 * back; a fulfillment without a live package has shipped nothing.
 */
export function packagesReached(packages: readonly PackageProgress[]): {
  allShipped: boolean;
  allDelivered: boolean;
} {
  const live = packages.filter((p) => p.status !== 'cancelled');
  const allShipped = live.length > 0 && live.every((p) => p.status === 'shipped');
  return { allShipped, allDelivered: allShipped && live.every((p) => p.delivered) };
}

/**
 * The moves that bring a fulfillment in line with its packages, one matrix step at a time:
 * `ready_to_ship → shipped` once all shipped, `shipped → completed` once all were delivered. A
 * delivery seen before the in-transit event (missed or reordered) yields both moves.
 */
export function catchUpMoves(
  status: FulfillmentStatus,
  progress: { allShipped: boolean; allDelivered: boolean },
): FulfillmentStatus[] {
  const moves: FulfillmentStatus[] = [];
  let at = status;
  if (at === 'ready_to_ship' && progress.allShipped) {
    moves.push('shipped');
    at = 'shipped';
  }
  if (at === 'shipped' && progress.allDelivered) moves.push('completed');
  return moves;
}
