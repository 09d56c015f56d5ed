import type { RouteOptions } from 'fastify';
import { buildHttpApp } from '../../platform/http/app.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { ServiceModule } from '../../platform/module.js';
import { createMetrics } from '../../platform/observability/metrics.js';
import { API_PREFIX } from './gateway.js';

/** One public route and the service whose API process answers it (distributed mode). */
export interface RouteEntry {
  method: string;
  /** Fastify route template under /api/v1, e.g. `/api/v1/orders/:orderId`. */
  url: string;
  service: string;
  /** The route's rate-limit class when not the standard one (the gateway limits per client IP). */
  rateLimitPolicy?: 'credentials';
}

/**
 * The gateway process's routing table, read from the modules' own route registrations: each
 * module's routes are registered alone on a bare app (nothing listens, nothing is called) and
 * recorded with the module's name. `npm run routes` prints it; route-table.generated.ts holds it
 * for the gateway process, and a test keeps that file equal to this.
 */
export async function collectRouteTable(
  modules: readonly ServiceModule[],
  logger: Logger,
): Promise<RouteEntry[]> {
  const entries: RouteEntry[] = [];
  for (const module of modules) {
    if (!module.routes) continue;
    const app = await buildHttpApp({ logger, metrics: createMetrics(), bodyLimit: 1024, docs: false });
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.url.startsWith(API_PREFIX)) return;
      for (const method of [route.method].flat()) {
        // HEAD routes mirror GET ones; the gateway forwards HEAD with its GET.
        if (method === 'HEAD') continue;
        const policy = route.config?.rateLimitPolicy;
        entries.push({
          method: String(method),
          url: route.url,
          service: module.name,
          ...(policy === 'credentials' ? { rateLimitPolicy: policy } : {}),
        });
      }
    });
    await app.register(async (api) => module.routes!(api), { prefix: API_PREFIX });
    await app.ready();
    await app.close();
  }
  return entries.sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
}
