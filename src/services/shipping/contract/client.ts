import type { Money } from '../../../platform/money.js';

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

/** Shipping's rate part as carts and checkout see it. */
export interface ShippingClient {
  /** Options available for the destination and parcel, priced in the requested currency. */
  options(request: RateRequest): Promise<ShippingOption[]>;
  /** One option re-priced for the request (checkout re-quotes the chosen method); undefined if no longer offered. */
  quote(optionId: string, request: RateRequest): Promise<ShippingOption | undefined>;
}
