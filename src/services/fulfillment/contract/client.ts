import type { EventHistory } from '../../../contracts/index.js';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';

export type { FulfillmentStatus } from '../domain/fulfillment-status.js';

export interface FulfillmentSummary {
  id: string;
  warehouseId: string;
  status: FulfillmentStatus;
  /** The carrier of the order's shipping method; null when the order named none. */
  carrier: string | null;
  shippedAt: string | null;
  completedAt: string | null;
  /**
   * Some package is with the carrier (true for shipped and completed ones too). While the
   * fulfillment is still `ready_to_ship` this means it shipped in part: it refuses cancellation
   * (409 `fulfillment_partially_shipped`), so the order must not be cancelled any more.
   */
  hasShippedPackages: boolean;
}

/** What other services may ask the fulfillment service (in-process; HTTP in distributed mode). */
export interface FulfillmentClient extends EventHistory {
  /** The fulfillments of an order (one per warehouse), oldest first. */
  forOrder(orderId: string): Promise<FulfillmentSummary[]>;
}
