import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { PromotionClient } from './client.js';

/** How PromotionClient travels over HTTP in distributed mode (platform/rpc). */
export const promotionRpc: RpcTable<PromotionClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  quote: { path: 'quote', idempotent: true },
  knownCodes: { path: 'known-codes', idempotent: true },
  // Both idempotent per order.
  reserve: { path: 'reserve', idempotent: true },
  release: { path: 'release', idempotent: true },
  createPromotion: { path: 'create-promotion', idempotent: false },
};
