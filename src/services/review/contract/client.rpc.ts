import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { ReviewClient } from './client.js';

/** How ReviewClient travels over HTTP in distributed mode (platform/rpc). */
export const reviewRpc: RpcTable<ReviewClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  importReview: { path: 'import-review', idempotent: false },
};
