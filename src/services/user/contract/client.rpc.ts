import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { UserClient } from './client.js';

/** How UserClient travels over HTTP in distributed mode (platform/rpc). */
export const userRpc: RpcTable<UserClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  directory: {
    types: { constant: ['admin', 'shipper'] },
    // Counts failed attempts (lockout): sent once.
    verifyCredentials: { path: 'directory/verify-credentials', idempotent: false },
    loadPrincipal: { path: 'directory/load-principal', idempotent: true },
    activeVersion: { path: 'directory/active-version', idempotent: true },
  },
  getUser: { path: 'get-user', idempotent: true },
};
