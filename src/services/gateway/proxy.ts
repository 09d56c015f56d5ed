import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import CircuitBreaker from 'opossum';
import { type Dispatcher, Pool } from 'undici';
import { AppError } from '../../platform/errors/app-error.js';
import type { HttpApp } from '../../platform/http/types.js';
import type { Logger } from '../../platform/logging/logger.js';
import { activeTraceparent } from '../../platform/observability/tracing.js';
import type { RouteEntry } from './route-table.js';

export interface ProxyOptions {
  routes: readonly RouteEntry[];
  /** Origin of each service's API process. */
  upstreams: Record<string, string>;
  /** Per upstream: until the response headers arrive, and between body chunks. */
  timeoutMs: number;
  connections: number;
  breaker: { errorPercent: number; minCalls: number; resetMs: number };
  logger: Logger;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and what the gateway sets itself: never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

class UpstreamFailure extends Error {}

function forwardHeaders(request: FastifyRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers as IncomingHttpHeaders)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  const length = request.headers['content-length'];
  if (length !== undefined) out['content-length'] = length;
  out['x-request-id'] = request.id;
  const forwardedFor = request.headers['x-forwarded-for'];
  out['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)}, ${request.ip}` : request.ip;
  out['x-forwarded-proto'] = request.protocol;
  // The gateway's own span when tracing is on; the caller's traceparent as it came otherwise.
  const traceparent = activeTraceparent();
  if (traceparent) out.traceparent = traceparent;
  return out;
}

/**
 * The gateway process (distributed mode): every public route of the table is forwarded to the API
 * process of the service that registers it. Request and response bodies stream through undici
 * (nothing is buffered or parsed here); the request id and W3C traceparent go along; each upstream
 * has its own connection pool, timeout and circuit breaker (503 `upstream_circuit_open` while it
 * is open, `upstream_unavailable` without an answer, `upstream_timeout` when it is slow).
 */
export async function registerProxy(app: HttpApp, options: ProxyOptions): Promise<() => Promise<void>> {
  const services = [...new Set(options.routes.map((r) => r.service))];
  const upstreams = new Map(
    services.map((service) => {
      const origin = options.upstreams[service];
      if (!origin)
        throw new Error(`No URL for the ${service} service (SERVICE_URL_${service.toUpperCase()})`);
      const pool = new Pool(origin, { connections: options.connections });
      const breaker = new CircuitBreaker(
        (params: Dispatcher.RequestOptions) =>
          pool.request(params).then(
            (res) => res,
            (err: Error) => {
              throw new UpstreamFailure(err.message, { cause: err });
            },
          ),
        {
          timeout: false,
          errorThresholdPercentage: options.breaker.errorPercent,
          volumeThreshold: options.breaker.minCalls,
          resetTimeout: options.breaker.resetMs,
        },
      );
      breaker.on('open', () => options.logger.warn({ upstream: service }, 'gateway circuit opened'));
      breaker.on('close', () => options.logger.info({ upstream: service }, 'gateway circuit closed'));
      return [service, { pool, breaker }] as const;
    }),
  );

  await app.register(async (scope) => {
    // Bodies are streamed to the upstream as they came; the upstream validates and limits them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const route of options.routes) {
      const upstream = upstreams.get(route.service)!;
      scope.route({
        method: route.method as 'GET',
        url: route.url,
        // The owning service checks the bearer token and the route's access rule.
        config: {
          access: { kind: 'public' },
          ...(route.rateLimitPolicy ? { rateLimitPolicy: route.rateLimitPolicy } : {}),
        },
        schema: { hide: true },
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          const hasBody = request.body !== undefined && request.body !== null;
          let response: Dispatcher.ResponseData;
          try {
            response = await upstream.breaker.fire({
              method: request.method as Dispatcher.HttpMethod,
              path: request.url,
              headers: forwardHeaders(request),
              body: hasBody ? (request.body as NodeJS.ReadableStream as never) : null,
              headersTimeout: options.timeoutMs,
              bodyTimeout: options.timeoutMs,
            });
          } catch (err) {
            throw upstreamError(route.service, err, upstream.breaker.opened, options.breaker.resetMs);
          }
          reply.status(response.statusCode);
          for (const [name, value] of Object.entries(response.headers)) {
            // CORS and security headers are the gateway's own; hop-by-hop ones end here.
            if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('access-control-')) continue;
            reply.header(name, value);
          }
          const length = response.headers['content-length'];
          if (length !== undefined) reply.header('content-length', length);
          return reply.send(response.body);
        },
      });
    }
  });

  return async () => {
    for (const { pool, breaker } of upstreams.values()) {
      breaker.shutdown();
      await pool.close();
    }
  };
}

function upstreamError(service: string, err: unknown, open: boolean, resetMs: number): AppError {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new AppError('unavailable', 'upstream_timeout', `The ${service} service did not answer in time`, {
      cause: err,
    });
  if (open && !(err instanceof UpstreamFailure))
    return new AppError(
      'unavailable',
      'upstream_circuit_open',
      `The ${service} service is failing; retry later`,
      {
        extra: { retryAfter: Math.ceil(resetMs / 1000) },
        cause: err,
      },
    );
  return new AppError('unavailable', 'upstream_unavailable', `The ${service} service cannot be reached`, {
    cause: err,
  });
}
