import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { Config } from '../../platform/config/config.js';
import { AppError } from '../../platform/errors/app-error.js';
import type { HttpApp } from '../../platform/http/types.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { Metrics } from '../../platform/observability/metrics.js';
import { failOpenStore } from './rate-limit.store.js';

export interface RateLimitSettings {
  enabled: boolean;
  windowMs: number;
  /** Per client (principal, else IP), per route template and method, per window. */
  max: number;
  /** All requests of all clients together, per window. */
  globalMax: number;
  /** Routes declaring `rateLimitPolicy: 'credentials'`: per IP, per route. */
  credentialsMax: number;
  credentialsWindowMs: number;
  /** Shared counters across gateway replicas when set. */
  redisUrl: string | undefined;
  keyPrefix: string;
}

/** The RATE_LIMIT_* settings (and REDIS_URL) as the gateway uses them. */
export const rateLimitSettings = (config: Config): RateLimitSettings => ({
  enabled: config.RATE_LIMIT_ENABLED,
  windowMs: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
  max: config.RATE_LIMIT_MAX,
  globalMax: config.RATE_LIMIT_GLOBAL_MAX,
  credentialsMax: config.RATE_LIMIT_CREDENTIALS_MAX,
  credentialsWindowMs: config.RATE_LIMIT_CREDENTIALS_WINDOW_SECONDS * 1000,
  redisUrl: config.REDIS_URL,
  keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
});

const isCredentials = (request: FastifyRequest): boolean =>
  request.routeOptions.config?.rateLimitPolicy === 'credentials';

/**
 * The bucket of a request (GW-P0-02, SE-P2-01): the route TEMPLATE the router matched (so case,
 * trailing or doubled slashes and query strings land in one bucket), the method (HEAD counts as the
 * GET it mirrors), and who calls — the verified principal, else the client IP (IPv6 by /64).
 * Credential endpoints are anonymous by nature and always count per IP.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const route = request.routeOptions.url ?? 'unmatched';
  const principal = request.principal;
  const who =
    principal && !isCredentials(request)
      ? `principal:${principal.type}:${principal.id}`
      : `ip:${normalizeIP(request.ip)}`;
  return `${method} ${route} ${who}`;
}

const retryAfterSeconds = (ttlMs: number): number => Math.max(1, Math.ceil(ttlMs / 1000));

const limited = (retryAfter: number, scope: string) =>
  new AppError(
    'rate_limited',
    'rate_limited',
    `Too many requests (${scope} limit); retry in ${retryAfter} s`,
    {
      extra: { retryAfter },
    },
  );

/**
 * Rate limiting with @fastify/rate-limit. Two limits apply to every API route:
 * - a global one (all clients together), checked first in an onRequest hook, before the token is
 *   verified, so a flood of bad tokens or unknown paths is capped as well;
 * - a per-client one per route template and method, checked after authentication (route-level
 *   hook) so it can key on the verified principal — never on an unverified JWT subject, which
 *   anyone could vary to get fresh buckets.
 * Health, readiness, metrics and docs are outside both. 429 problem+json `rate_limited` with
 * `Retry-After`. Counters live in Redis when REDIS_URL is set (shared by every replica), else in
 * process memory. A failing store lets requests through, logged and counted.
 */
export async function registerRateLimits(
  app: HttpApp,
  settings: RateLimitSettings,
  deps: { logger: Logger; metrics: Metrics; apiPrefix: string },
): Promise<void> {
  if (!settings.enabled) {
    deps.logger.warn('rate limiting is disabled (RATE_LIMIT_ENABLED=false)');
    return;
  }
  const rejected = new Counter({
    name: 'orderline_http_rate_limited_total',
    help: 'Requests refused with 429 by scope (client or global) and route template',
    labelNames: ['scope', 'route'],
    registers: [deps.metrics.registry],
  });
  const storeErrors = new Counter({
    name: 'orderline_rate_limit_store_errors_total',
    help: 'Rate-limit store failures; the request was let through (fail open)',
    registers: [deps.metrics.registry],
  });

  let redis: Redis | undefined;
  if (settings.redisUrl) {
    // No offline queue and a short timeout: a slow or absent Redis fails open at once instead of
    // holding every request.
    redis = new Redis(settings.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
    });
    redis.on('error', (err) => deps.logger.warn({ err }, 'rate-limit Redis connection error'));
    await redis.connect();
    const client = redis;
    app.addHook('onClose', async () => {
      // QUIT needs a live connection; a broken one is just dropped (its reconnect timer too).
      if (client.status === 'ready') await client.quit();
      else client.disconnect();
    });
  }
  const Store = failOpenStore(redis && { client: redis, prefix: settings.keyPrefix }, (err) => {
    storeErrors.inc();
    deps.logger.warn({ err }, 'rate-limit store failed: request let through (fail open)');
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    store: Store,
    keyGenerator: rateLimitKey,
    max: (request) => (isCredentials(request) ? settings.credentialsMax : settings.max),
    timeWindow: (request) => (isCredentials(request) ? settings.credentialsWindowMs : settings.windowMs),
    errorResponseBuilder: (request, context) => {
      rejected.inc({ scope: 'client', route: request.routeOptions.url ?? 'unmatched' });
      return limited(retryAfterSeconds(context.ttl), 'per-client');
    },
  });

  const globalLimit = app.createRateLimit({
    keyGenerator: () => 'global',
    max: settings.globalMax,
    timeWindow: settings.windowMs,
  });
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && !route.startsWith(deps.apiPrefix)) return; // probes, metrics, docs
    const result = await globalLimit(request);
    if (result.isAllowed || !result.isExceeded) return;
    rejected.inc({ scope: 'global', route: route ?? 'unmatched' });
    reply.header('retry-after', String(retryAfterSeconds(result.ttl)));
    throw limited(retryAfterSeconds(result.ttl), 'global');
  });
}
