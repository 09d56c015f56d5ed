import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { AnalyticsClient } from './client.js';

/** How AnalyticsClient travels over HTTP in distributed mode (platform/rpc). */
export const analyticsRpc: RpcTable<AnalyticsClient> = {
  eventCounts: { path: 'event-counts', idempotent: true },
};
