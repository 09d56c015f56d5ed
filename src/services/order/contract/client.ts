import type { EventHistory } from '../../../contracts/index.js';
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

/**
 * A customer's delivered orders in one currency, as the order service counts them: `orders` and
 * `spent` leave out cancelled and fully refunded/returned orders and subtract refunded returns;
 * `returns` counts completed returns; `lastChangeAt` is the newest change of any of those orders
 * or their returns (the customer service skips figures still settling).
 */
export interface CustomerOrderAggregate {
  customerId: string;
  currency: string;
  orders: number;
  /** Minor units as a string. */
  spent: string;
  returns: number;
  lastOrderAt: string | null;
  lastChangeAt: string;
}

/** The order service as other services see it. */
export interface OrderClient extends EventHistory {
  getOrder(orderId: string): Promise<OrderSummary | undefined>;
  /** Purchase aggregates of these customers (at most 1000 ids), one row per customer and currency. */
  customerAggregates(customerIds: readonly string[]): Promise<CustomerOrderAggregate[]>;
}
