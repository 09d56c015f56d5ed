import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { OrderClient } from './client.js';

/** How OrderClient travels over HTTP in distributed mode (platform/rpc). */
export const orderRpc: RpcTable<OrderClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  getOrder: { path: 'get-order', idempotent: true },
  customerAggregates: { path: 'customer-aggregates', idempotent: true },
};
