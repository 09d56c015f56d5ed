import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { ShippingClient } from './client.js';

/** How ShippingClient travels over HTTP in distributed mode (platform/rpc). */
export const shippingRpc: RpcTable<ShippingClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  options: { path: 'options', idempotent: true },
  quote: { path: 'quote', idempotent: true },
  shipmentsForOrder: { path: 'shipments-for-order', idempotent: true },
};
