import type { Config } from '../platform/config/config.js';
import type { Logger } from '../platform/logging/logger.js';
import { createRpcClient, type RpcClient, type RpcClientSettings } from '../platform/rpc/rpc.client.js';
import type { RpcTable } from '../platform/rpc/rpc.types.js';
import { type ServiceTokens, serviceTokenIssuer } from '../platform/rpc/service-token.js';
import { analyticsRpc } from '../services/analytics/contract/client.rpc.js';
import { authRpc } from '../services/auth/contract/client.rpc.js';
import { catalogRpc } from '../services/catalog/contract/client.rpc.js';
import { customerRpc } from '../services/customer/contract/client.rpc.js';
import { fulfillmentRpc } from '../services/fulfillment/contract/client.rpc.js';
import { loyaltyRpc } from '../services/loyalty/contract/client.rpc.js';
import { notificationRpc } from '../services/notification/contract/client.rpc.js';
import { orderRpc } from '../services/order/contract/client.rpc.js';
import { paymentRpc } from '../services/payment/contract/client.rpc.js';
import { pricingRpc } from '../services/pricing/contract/client.rpc.js';
import { promotionRpc } from '../services/promotion/contract/client.rpc.js';
import { reviewRpc } from '../services/review/contract/client.rpc.js';
import { shippingRpc } from '../services/shipping/contract/client.rpc.js';
import { userRpc } from '../services/user/contract/client.rpc.js';
import { warehouseRpc } from '../services/warehouse/contract/client.rpc.js';
import type { Clients, ServiceName } from './services.js';

/** Every service's RPC table (its `contract/client.rpc.ts`), by service name. */
export const RPC_TABLES: { [N in ServiceName]: RpcTable<Clients[N]> } = {
  user: userRpc,
  customer: customerRpc,
  notification: notificationRpc,
  auth: authRpc,
  catalog: catalogRpc,
  pricing: pricingRpc,
  warehouse: warehouseRpc,
  shipping: shippingRpc,
  payment: paymentRpc,
  promotion: promotionRpc,
  order: orderRpc,
  fulfillment: fulfillmentRpc,
  analytics: analyticsRpc,
  loyalty: loyaltyRpc,
  review: reviewRpc,
};

/** The API origin of a peer: `SERVICE_URL_<SERVICE>`, else SERVICE_URL_TEMPLATE; undefined with neither. */
export function peerUrl(config: Config, service: string): string | undefined {
  return config.serviceUrls[service] ?? config.SERVICE_URL_TEMPLATE?.replaceAll('{service}', service);
}

export const rpcSettings = (config: Config): RpcClientSettings => ({
  timeoutMs: config.RPC_TIMEOUT_MS,
  retries: config.RPC_RETRIES,
  retryBaseMs: config.RPC_RETRY_BASE_MS,
  connections: config.RPC_CONNECTIONS,
  breaker: {
    errorPercent: config.RPC_BREAKER_ERROR_PERCENT,
    minCalls: config.RPC_BREAKER_MIN_CALLS,
    resetMs: config.RPC_BREAKER_RESET_MS,
  },
});

/** The secret every distributed process needs; refused plainly when absent. */
export function serviceTokenSecret(config: Config): string {
  if (!config.SERVICE_TOKEN_SECRET)
    throw new Error('SERVICE_TOKEN_SECRET is required when services call each other over HTTP');
  return config.SERVICE_TOKEN_SECRET;
}

export interface RemoteClients {
  clients: Partial<Clients>;
  names: ServiceName[];
  close(): Promise<void>;
}

/**
 * HTTP clients for every service not in this process that has a peer URL configured (distributed
 * mode). In embedded mode (no URL configured) there are none and every client is in-process.
 */
export function remoteClients(
  config: Config,
  local: readonly ServiceName[],
  all: readonly ServiceName[],
  caller: string,
  logger: Logger,
): RemoteClients {
  const localSet = new Set(local);
  const names = all.filter((name) => !localSet.has(name) && peerUrl(config, name) !== undefined);
  if (names.length === 0) return { clients: {}, names, close: async () => undefined };
  const tokens: ServiceTokens = serviceTokenIssuer({
    secret: serviceTokenSecret(config),
    caller,
    ttlSeconds: config.SERVICE_TOKEN_TTL_SECONDS,
  });
  const settings = rpcSettings(config);
  const rpcs: RpcClient<unknown>[] = [];
  const clients: Partial<Clients> = {};
  for (const name of names) {
    const rpc = createRpcClient({
      service: name,
      table: RPC_TABLES[name] as RpcTable<unknown>,
      baseUrl: peerUrl(config, name)!,
      tokens,
      settings,
      logger,
    });
    rpcs.push(rpc);
    (clients as Record<ServiceName, unknown>)[name] = rpc.client;
  }
  return {
    clients,
    names,
    close: async () => {
      await Promise.all(rpcs.map((rpc) => rpc.close()));
    },
  };
}
