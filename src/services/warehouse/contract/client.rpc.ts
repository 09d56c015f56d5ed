import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { WarehouseClient } from './client.js';

/** How WarehouseClient travels over HTTP in distributed mode (platform/rpc). */
export const warehouseRpc: RpcTable<WarehouseClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  availability: { path: 'availability', idempotent: true },
  // Idempotent per reference / reservation (see the interface).
  reserve: { path: 'reserve', idempotent: true },
  confirm: { path: 'confirm', idempotent: true },
  release: { path: 'release', idempotent: true },
  fulfil: { path: 'fulfil', idempotent: true },
  restock: { path: 'restock', idempotent: true },
  createWarehouse: { path: 'create-warehouse', idempotent: false },
  setStock: { path: 'set-stock', idempotent: false },
  getReservation: { path: 'get-reservation', idempotent: true },
};
