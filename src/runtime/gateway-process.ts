import type { Config } from '../platform/config/config.js';
import { buildHttpApp } from '../platform/http/app.js';
import type { HttpApp } from '../platform/http/types.js';
import type { Logger } from '../platform/logging/logger.js';
import { createMetrics } from '../platform/observability/metrics.js';
import { startTracing, type Tracing, tracingEnabled } from '../platform/observability/tracing.js';
import { API_PREFIX, registerPublicEntry } from '../services/gateway/gateway.js';
import { registerProxy } from '../services/gateway/proxy.js';
import { rateLimitSettings } from '../services/gateway/rate-limit.js';
import { ROUTE_TABLE } from '../services/gateway/route-table.generated.js';
import { peerUrl } from './remote.js';

export interface GatewayProcess {
  app: HttpApp;
  start(): Promise<string>;
  close(): Promise<void>;
}

/**
 * `orderline start --services gateway` (distributed mode): the public entry alone, without a
 * database. CORS, security headers, the global and per-client rate limits (in Redis with
 * REDIS_URL, shared by every gateway replica), then every /api/v1 route forwarded to its
 * service's API process (route-table.generated.ts). Bearer tokens are verified by the owning
 * service, which enforces the route's access rule (docs/distributed.md).
 */
export async function createGatewayProcess(options: {
  config: Config;
  logger: Logger;
}): Promise<GatewayProcess> {
  const { config, logger } = options;
  const metrics = createMetrics();
  const tracing: Tracing | undefined =
    config.OTEL_EXPORTER_OTLP_ENDPOINT && !tracingEnabled()
      ? startTracing({ serviceName: config.OTEL_SERVICE_NAME, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
      : undefined;
  const services = [...new Set(ROUTE_TABLE.map((r) => r.service))];
  const upstreams: Record<string, string> = {};
  for (const service of services) {
    const url = peerUrl(config, service);
    if (!url)
      throw new Error(
        `The gateway needs the URL of the ${service} service: set SERVICE_URL_${service.toUpperCase()} or SERVICE_URL_TEMPLATE`,
      );
    upstreams[service] = url;
  }
  const app = await buildHttpApp({
    logger: logger.child({ service: 'gateway' }),
    metrics,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.HTTP_TRUST_PROXY,
    docs: false,
  });
  await registerPublicEntry(app, {
    corsOrigins: config.CORS_ORIGINS,
    logger,
    rateLimits: { settings: rateLimitSettings(config), metrics },
  });
  const closeProxy = await registerProxy(app, {
    routes: ROUTE_TABLE,
    upstreams,
    timeoutMs: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
    connections: config.RPC_CONNECTIONS,
    breaker: {
      errorPercent: config.RPC_BREAKER_ERROR_PERCENT,
      minCalls: config.RPC_BREAKER_MIN_CALLS,
      resetMs: config.RPC_BREAKER_RESET_MS,
    },
    logger,
  });
  await app.ready();
  logger.debug({ routes: ROUTE_TABLE.length, prefix: API_PREFIX }, 'gateway routes mounted');
  return {
    app,
    start: () => app.listen({ host: config.HOST, port: config.PORT }),
    async close() {
      await app.close();
      await closeProxy();
      await tracing?.shutdown();
    },
  };
}
