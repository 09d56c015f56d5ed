import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { LoyaltyClient } from './client.js';

/** How LoyaltyClient travels over HTTP in distributed mode (platform/rpc). */
export const loyaltyRpc: RpcTable<LoyaltyClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  balanceOf: { path: 'balance-of', idempotent: true },
  // Idempotent per order; releasing again is a no-op.
  redeem: { path: 'redeem', idempotent: true },
  releaseRedemption: { path: 'release-redemption', idempotent: true },
};
