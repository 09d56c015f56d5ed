import type { ShippingAddress } from '../../../platform/validation/address.js';

/** An order as other services see it (the owner-facing view lives in the HTTP API). */
export interface OrderSummary {
  id: string;
  status: string;
  paymentStatus: string;
  paymentId: string;
  reservationId: string;
  customerId: string | null;
  currency: string;
  total: { amount: string; currency: string };
  sequence: number;
  /** Where the order goes (shipping books the parcel with it; never put into events: G10). */
  shippingAddress: ShippingAddress;
  /** The carrier of the shipping method the customer chose. */
  shippingCarrier: string;
}

/** The order service as other services see it. */
export interface OrderClient {
  getOrder(orderId: string): Promise<OrderSummary | undefined>;
}
