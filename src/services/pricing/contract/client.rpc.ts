import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { PricingClient } from './client.js';

/** How PricingClient travels over HTTP in distributed mode (platform/rpc). */
export const pricingRpc: RpcTable<PricingClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  quote: { path: 'quote', idempotent: true },
  unitPrices: { path: 'unit-prices', idempotent: true },
  convert: { path: 'convert', idempotent: true },
  // Each call is a new history row: sent once.
  setPrice: { path: 'set-price', idempotent: false },
  setTaxRate: { path: 'set-tax-rate', idempotent: false },
  tax: { path: 'tax', idempotent: true },
};
