import { shipmentStatus } from '../../../contracts/common.schemas.js';
import { AppError } from '../../../platform/errors/app-error.js';

/** Shipment status (02-events.md "Shipment status"), as the event contract spells them (one list for both). */
export const SHIPMENT_STATUSES = shipmentStatus.options;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** Not yet booked with a carrier: the booking job and its kick work on these. */
export const BOOKING_STATUSES = ['created', 'carrier_pending'] as const satisfies readonly ShipmentStatus[];

/** With the carrier and moving: the tracking poll asks the carrier about these. */
export const TRACKED_STATUSES = [
  'label_created',
  'in_transit',
  'out_for_delivery',
  'failed_delivery',
] as const satisfies readonly ShipmentStatus[];

/** Not yet on the carrier's truck: an order or package cancellation still cancels these. */
export const CANCELLABLE_STATUSES = [
  'created',
  'carrier_pending',
  'label_created',
  'manual',
] as const satisfies readonly ShipmentStatus[];

/** After a label is bought, tracking may report any later scan (carriers skip scans). */
const HANDED_OVER: readonly ShipmentStatus[] = [
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_delivery',
  'cancelled',
];

/**
 * The transition table (SHIP-P0-01, "no regression"): a shipment only moves forward. Booking
 * retries keep `carrier_pending` (the only self-transition); terminal statuses go nowhere.
 */
const TRANSITIONS: Readonly<Record<ShipmentStatus, readonly ShipmentStatus[]>> = {
  created: ['carrier_pending', 'label_created', 'manual', 'cancelled'],
  carrier_pending: ['carrier_pending', 'label_created', 'manual', 'cancelled'],
  label_created: HANDED_OVER,
  manual: HANDED_OVER,
  in_transit: ['out_for_delivery', 'delivered', 'failed_delivery', 'returned_to_sender'],
  out_for_delivery: ['delivered', 'failed_delivery', 'returned_to_sender'],
  failed_delivery: ['out_for_delivery', 'delivered', 'returned_to_sender'],
  delivered: [],
  returned_to_sender: [],
  cancelled: [],
};

export const canTransition = (from: ShipmentStatus, to: ShipmentStatus): boolean =>
  TRANSITIONS[from].includes(to);

/** The statuses `to` may be reached from: the `WHERE status IN (…)` of the conditional update. */
export const sourcesOf = (to: ShipmentStatus): ShipmentStatus[] =>
  SHIPMENT_STATUSES.filter((from) => canTransition(from, to));

/** Guard for staff requests: 409 `invalid_transition` outside the table. */
export function assertTransition(from: ShipmentStatus, to: ShipmentStatus): void {
  if (!canTransition(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} shipment cannot become ${to}`);
}

export const isCancellable = (s: ShipmentStatus): boolean =>
  (CANCELLABLE_STATUSES as readonly string[]).includes(s);

/** What a carrier may report about a parcel (webhooks and tracking); booking statuses are ours. */
export const CARRIER_STATUSES = [
  'label_created',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_delivery',
  'returned_to_sender',
  'cancelled',
] as const satisfies readonly ShipmentStatus[];
export type CarrierStatus = (typeof CARRIER_STATUSES)[number];

/**
 * G6 for carrier input: a scan older than the newest one applied, a repeat, or a move the table
 * does not allow (a late `in_transit` after `delivered`) is ignored, never an error — carriers
 * resend and reorder their events.
 */
export function carrierUpdateApplies(
  current: ShipmentStatus,
  lastAppliedAt: Date | null,
  update: { status: ShipmentStatus; at: Date },
): boolean {
  if (lastAppliedAt && update.at.getTime() < lastAppliedAt.getTime()) return false;
  return current !== update.status && canTransition(current, update.status);
}

/**
 * `allShipmentsDelivered` of `shipping.shipment.delivered`: every non-cancelled shipment of the
 * order is delivered (and at least one is).
 */
export function allDelivered(statuses: readonly ShipmentStatus[]): boolean {
  const live = statuses.filter((s) => s !== 'cancelled');
  return live.length > 0 && live.every((s) => s === 'delivered');
}
