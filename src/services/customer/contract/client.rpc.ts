import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { CustomerClient } from './client.js';

/** How CustomerClient travels over HTTP in distributed mode (platform/rpc). */
export const customerRpc: RpcTable<CustomerClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  directory: {
    types: { constant: ['customer'] },
    // Counts failed attempts (lockout): sent once.
    verifyCredentials: { path: 'directory/verify-credentials', idempotent: false },
    loadPrincipal: { path: 'directory/load-principal', idempotent: true },
    activeVersion: { path: 'directory/active-version', idempotent: true },
  },
  contacts: { path: 'contacts', idempotent: true },
  segmentIdsOf: { path: 'segment-ids-of', idempotent: true },
};
