import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { FulfillmentClient } from './client.js';

/** How FulfillmentClient travels over HTTP in distributed mode (platform/rpc). */
export const fulfillmentRpc: RpcTable<FulfillmentClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  forOrder: { path: 'for-order', idempotent: true },
};
