import type { FulfillmentStatus } from '../domain/fulfillment-status.js';

export type { FulfillmentStatus } from '../domain/fulfillment-status.js';

export interface FulfillmentSummary {
  id: string;
  warehouseId: string;
  status: FulfillmentStatus;
}

/** What other services may ask the fulfillment service (in-process; HTTP in distributed mode). */
export interface FulfillmentClient {
  /** The fulfillments of an order (one per warehouse), oldest first. */
  forOrder(orderId: string): Promise<FulfillmentSummary[]>;
}
