import type { z } from 'zod';
import type { shipmentStatus } from '../../../contracts/common.schemas.js';
import type { EventHistory } from '../../../contracts/index.js';
import type { Money } from '../../../platform/money.js';
import type { ReadOptions } from '../../../platform/read-options.js';

export interface RateRequest {
  destination: { country: string; postalCode: string };
  /** Total weight of the parcel(s) in grams. */
  weightGrams: number;
  /** Value of the goods, for options free above a threshold. */
  subtotal: Money;
  currency: string;
}

export interface ShippingOption {
  id: string;
  name: string;
  carrier: string;
  price: Money;
  estimatedDays: { min: number; max: number };
}

export type ShipmentStatus = z.infer<typeof shipmentStatus>;

/** One entry of a shipment's tracking history. */
export interface ShipmentEventView {
  status: ShipmentStatus;
  note: string | null;
  source: 'carrier_webhook' | 'carrier_poll' | 'admin' | 'system';
  /** ISO 8601. */
  occurredAt: string;
}

/** A shipment with its tracking history, oldest event first. Times are ISO 8601. */
export interface ShipmentView {
  id: string;
  orderId: string;
  fulfillmentId: string | null;
  packageId: string | null;
  carrier: string;
  trackingNumber: string | null;
  status: ShipmentStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  events: ShipmentEventView[];
}

/**
 * The shipping service as carts, checkout and the order service see it. `options` and `quote`
 * read the option table on the database by default (checkout); `{ cached: true }` may use
 * shipping's in-process option cache (cart views).
 */
export interface ShippingClient extends EventHistory {
  /** Options available for the destination and parcel, priced in the requested currency. */
  options(request: RateRequest, opts?: ReadOptions): Promise<ShippingOption[]>;
  /** One option re-priced for the request (checkout re-quotes the chosen method); undefined if no longer offered. */
  quote(optionId: string, request: RateRequest, opts?: ReadOptions): Promise<ShippingOption | undefined>;
  /** The order's shipments with their tracking events (oldest shipment first); [] for an unknown order. */
  shipmentsForOrder(orderId: string): Promise<ShipmentView[]>;
}
