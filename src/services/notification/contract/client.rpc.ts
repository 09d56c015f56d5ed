import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { NotificationClient } from './client.js';

/** How NotificationClient travels over HTTP in distributed mode (platform/rpc). */
export const notificationRpc: RpcTable<NotificationClient> = {
  // One message per idempotency key, recipient and template.
  send: { path: 'send', idempotent: true },
};
