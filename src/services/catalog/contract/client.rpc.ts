import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { CatalogClient } from './client.js';

/** How CatalogClient travels over HTTP in distributed mode (platform/rpc). */
export const catalogRpc: RpcTable<CatalogClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  getProducts: { path: 'get-products', idempotent: true },
  getProductsBySku: { path: 'get-products-by-sku', idempotent: true },
  createProduct: { path: 'create-product', idempotent: false },
  createCategory: { path: 'create-category', idempotent: false },
  countProducts: { path: 'count-products', idempotent: true },
};
