import type { Money } from '../../../platform/money.js';
import type { PostalAddress } from '../../../platform/validation/address.js';
import type { RateTable } from './rate.js';
import type { CarrierStatus, ShipmentStatus } from './shipment-status.js';

export interface Parcel {
  destination: { country: string; postalCode: string };
  weightGrams: number;
}

export interface CreateShipmentRequest {
  /** The shipment id: the carrier's idempotency key, so a retried booking buys one label. */
  reference: string;
  orderId: string;
  packageId: string | null;
  weightGrams: number | null;
  /** The order's address: passed to the carrier only, never into events or logs (G10). */
  shipTo: PostalAddress;
}

export interface CarrierBooking {
  /** Null for carriers that hand out none (manual: the store delivers itself). */
  trackingNumber: string | null;
  labelUrl: string | null;
}

export interface CarrierScan {
  status: ShipmentStatus;
  at: Date;
  note: string | null;
}

export interface CarrierTracking {
  status: ShipmentStatus;
  /** Oldest first. */
  events: CarrierScan[];
}

/** A verified tracking push from a carrier. */
export interface CarrierWebhookEvent {
  eventId: string;
  trackingNumber: string;
  status: CarrierStatus;
  occurredAt: Date;
  note: string | null;
}

/**
 * The carrier port (conventions §5). `rate` answers undefined when the carrier cannot carry the
 * parcel for that option. The shipment calls reach an outside system: the app calls them only
 * through the timeout and circuit breaker of app/resilient-carriers.ts, never inside a database
 * transaction.
 */
export interface Carrier {
  readonly name: string;
  /** True when `track` reports progress: the tracking poll asks only these carriers. */
  readonly tracks: boolean;
  rate(option: RateTable, parcel: Parcel): Promise<Money | undefined>;
  /** Books the parcel; the same `reference` always gets the same answer. */
  createShipment(request: CreateShipmentRequest): Promise<CarrierBooking>;
  track(trackingNumber: string): Promise<CarrierTracking>;
  /** Voids the label; cancelling a cancelled parcel succeeds. */
  cancel(trackingNumber: string): Promise<void>;
  /** Carriers that push tracking: verifies a delivery's signature (401 otherwise), then parses it. */
  verifyWebhook?(
    rawBody: string,
    headers: Record<string, string | string[] | undefined>,
  ): CarrierWebhookEvent;
}

/** What shipping needs from pricing: currency conversion with a fresh rate. */
export interface CurrencyConverter {
  convert(amount: Money, to: string): Promise<Money>;
}
