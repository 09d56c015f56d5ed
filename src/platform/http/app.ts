import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import { jsonSchemaTransformObject, serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newRequestId } from '../ids.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../observability/metrics.js';
import {
  type RequestSpan,
  runInContext,
  startRequestSpan,
  tracingEnabled,
} from '../observability/tracing.js';
import { clientErrorHandler, errorHandler, frameworkErrorHandler, notFoundHandler } from './errors.js';
import { documentRoute, openApiTransform } from './openapi.js';
import { registerSecurityHeaders } from './security-headers.js';
import type { HttpApp } from './types.js';
import { registerUtf8Bodies } from './utf8-body.js';
import { validatorCompiler } from './validator.js';

export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects (or returns a message) when not. */
  check: () => Promise<string | undefined>;
}

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: number;
  /** Proxies (addresses/CIDRs) whose X-Forwarded-For is believed for `request.ip`; none when empty. */
  trustProxy?: string[];
  docs: boolean;
  title?: string;
  readiness?: ReadinessCheck[];
}

/** Longest path parameter the router accepts (characters, before decoding). */
export const MAX_PARAM_LENGTH = 100;
/** Accepted inbound request ids: printable and bounded, so nothing odd reaches logs (GW-P1-01). */
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{8,128}$/;
/** W3C trace context (version 00): its trace id goes into the request's log lines. */
const TRACEPARENT_RE = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Builds (does not start) a Fastify app with what every Orderline process serves: zod validation
 * and serialization, problem+json errors, request ids, OpenAPI, /healthz, /readyz and /metrics.
 * Services add routes afterwards; `listen()` is the caller's business (tests use `inject`).
 */
export async function buildHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? options.trustProxy : false,
    requestIdHeader: false,
    genReqId: (req) => {
      const inbound = req.headers['x-request-id'];
      return typeof inbound === 'string' && REQUEST_ID_RE.test(inbound) ? inbound : newRequestId();
    },
    // Our onResponse hook logs one line per request with the route template instead.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    // A longer path parameter is a 414 (Fastify's default, stated): no id, sku or code comes near it.
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      caseSensitive: false,
      maxParamLength: MAX_PARAM_LENGTH,
    },
    // Errors raised before routing or by the HTTP parser are problem+json too (G8).
    frameworkErrors: frameworkErrorHandler(options.metrics),
    clientErrorHandler: clientErrorHandler(options.metrics, options.logger),
  }).withTypeProvider<ZodTypeProviderApp>() as unknown as HttpApp;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(options.metrics));
  app.setNotFoundHandler(notFoundHandler);
  registerUtf8Bodies(app);
  await registerSecurityHeaders(app);
  app.addHook('onRoute', documentRoute);

  // Traced (decided once, when the app is built): a server span per request, active for everything
  // the request runs (AsyncLocalStorage), so its transactions and events are its children.
  if (tracingEnabled()) {
    const spans = new WeakMap<object, RequestSpan>();
    app.addHook('onRequest', (request, _reply, done) => {
      const span = startRequestSpan(request.method, request.headers);
      if (!span) return done();
      spans.set(request, span);
      runInContext(span.context, done);
    });
    app.addHook('onResponse', async (request, reply) => {
      spans.get(request)?.end(request.routeOptions.url ?? 'unmatched', reply.statusCode);
    });
  }
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const trace = request.headers.traceparent;
    const traceId = typeof trace === 'string' ? TRACEPARENT_RE.exec(trace)?.[1] : undefined;
    if (traceId) request.log = request.log.child({ traceId });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpDuration.observe(
      { method: request.method, route, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    const level = reply.statusCode >= 500 ? 'error' : 'debug';
    request.log[level](
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });

  if (options.docs) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: options.title ?? 'Orderline API',
          version: '1',
          description: 'Event-driven commerce backend. Errors are application/problem+json (RFC 9457).',
        },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform: openApiTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }

  registerHealthRoutes(app, options);
  return app;
}

type ZodTypeProviderApp = import('fastify-type-provider-zod').ZodTypeProvider;

function registerHealthRoutes(app: HttpApp, options: HttpAppOptions): void {
  const infra = { tags: ['operations'] };
  app.get(
    '/healthz',
    {
      config: { access: { kind: 'public' } },
      schema: { ...infra, response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { access: { kind: 'public' } },
      schema: {
        ...infra,
        response: {
          200: z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.string()) }),
          503: z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.string()) }),
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        (options.readiness ?? []).map(async (c) => {
          try {
            const problemText = await c.check();
            checks[c.name] = problemText ? problemText : 'ok';
            if (problemText) ready = false;
          } catch (err) {
            checks[c.name] = (err as Error).message || 'failed';
            ready = false;
          }
        }),
      );
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
  app.get(
    '/metrics',
    { config: { access: { kind: 'public' } }, schema: { hide: true } },
    async (_request, reply) => {
      reply.type(options.metrics.registry.contentType);
      return options.metrics.registry.metrics();
    },
  );
}
