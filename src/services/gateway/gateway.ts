import cors from '@fastify/cors';
import type { FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../../platform/errors/app-error.js';
import type { HttpApp } from '../../platform/http/types.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { ServiceModule } from '../../platform/module.js';
import type { Metrics } from '../../platform/observability/metrics.js';
import { isServiceToken } from '../../platform/rpc/service-token.js';
import type { Access } from '../../platform/security/access.js';
import { hasPermission, type Principal } from '../../platform/security/principal.js';
import { type RateLimitSettings, registerRateLimits } from './rate-limit.js';

export const API_PREFIX = '/api/v1';

export interface GatewayOptions {
  corsOrigins: string[];
  logger: Logger;
  /** Verifies an access token and its session; throws AppError('unauthenticated') when not valid. */
  authenticate: ((token: string) => Promise<Principal>) | undefined;
  modules: ServiceModule[];
  /** Rate limiting (GW-P0-02); none when absent (unit tests of the gateway alone). */
  rateLimits?: { settings: RateLimitSettings; metrics: Metrics };
}

/**
 * What every public entry has, embedded or as the gateway process: CORS from an allowlist,
 * the check that every route declares its access, and the rate limits.
 */
export async function registerPublicEntry(
  app: HttpApp,
  options: Pick<GatewayOptions, 'corsOrigins' | 'logger' | 'rateLimits'>,
): Promise<void> {
  await app.register(cors, {
    origin: options.corsOrigins.includes('*') ? true : options.corsOrigins,
    credentials: true,
    exposedHeaders: ['x-request-id', 'retry-after', 'location'],
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    const isInfra = route.url.startsWith('/docs') || route.method === 'HEAD' || route.method === 'OPTIONS';
    if (!isInfra && !route.config?.access) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule (config.access)`);
    }
  });

  // Before the authentication hook: the global limit is checked before any token work.
  if (options.rateLimits)
    await registerRateLimits(app, options.rateLimits.settings, {
      logger: options.logger,
      metrics: options.rateLimits.metrics,
      apiPrefix: API_PREFIX,
    });
}

/**
 * The single public entry in embedded mode (and of each service's API process in distributed
 * mode): the public entry's CORS, access declarations and rate limits (security headers come with
 * every platform app, see platform/http/security-headers.ts), token verification and the per-route
 * access check, then every enabled service's routes under `/api/v1`. Every route must declare its
 * access (secure by default): one that does not is refused when the process starts rather than
 * silently left open.
 */
export async function registerGateway(app: HttpApp, options: GatewayOptions): Promise<void> {
  await registerPublicEntry(app, options);

  // Authenticate and authorize before the body is parsed: an anonymous caller gets 401, not 400.
  app.addHook('onRequest', async (request) => {
    const rule = request.routeOptions.config?.access;
    if (!rule) return; // unmatched routes (404) and docs
    if (rule.kind === 'service') return; // internal RPC routes check their service token themselves
    const principal = await principalFrom(request, options.authenticate);
    if (principal) request.principal = principal;
    enforce(rule, principal);
  });

  await app.register(
    async (api) => {
      for (const module of options.modules) {
        if (module.routes) await module.routes(api as HttpApp);
      }
    },
    { prefix: API_PREFIX },
  );
}

async function principalFrom(
  request: FastifyRequest,
  authenticate: GatewayOptions['authenticate'],
): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match)
    throw new AppError('unauthenticated', 'unauthenticated', 'Authorization must be "Bearer <token>"');
  // Service tokens open internal routes only (platform/rpc): a public route never accepts one.
  if (isServiceToken(match[1]!))
    throw new AppError('unauthenticated', 'service_token_refused', 'Service tokens are not accepted here');
  if (!authenticate)
    throw new AppError('unavailable', 'auth_unavailable', 'The auth service is not enabled in this process');
  return authenticate(match[1]!);
}

export function enforce(rule: Access, principal: Principal | undefined): void {
  if (rule.kind === 'public' || rule.kind === 'service') return;
  if (!principal)
    throw new AppError('unauthenticated', 'unauthenticated', 'This endpoint requires a bearer token');
  if (rule.types && !rule.types.includes(principal.type))
    throw new AppError(
      'forbidden',
      'forbidden',
      `This endpoint is not available to ${principal.type} accounts`,
    );
  if (rule.permission && !hasPermission(principal.permissions, rule.permission))
    throw new AppError('forbidden', 'forbidden', `Missing permission ${rule.permission}`);
}
