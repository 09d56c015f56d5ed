import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { AuthClient } from './client.js';

/** How AuthClient travels over HTTP in distributed mode (platform/rpc). */
export const authRpc: RpcTable<AuthClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  authenticate: { path: 'authenticate', idempotent: true },
  // Revoking every live session again leaves the same state.
  revokeAllSessions: { path: 'revoke-all-sessions', idempotent: true },
  // Publishes auth.password_changed: sent once.
  passwordChanged: { path: 'password-changed', idempotent: false },
};
