import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../security/access.js';

/**
 * The OpenAPI document is generated from what decides behaviour, so it cannot drift from it: a
 * route's `security` from its access rule (config.access, enforced by the gateway), its 4xx
 * responses from what the platform refuses before or around the handler. Runs as an onRoute hook,
 * so every route gets it without declaring anything.
 */

/** Every 4xx and 5xx body (errors.ts): RFC 9457 with a stable code; more members may follow. */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable error code clients switch on'),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('Field errors, with paths relative to the request (body.sku, params.id, querystring.limit)'),
});

const DESCRIPTIONS: Record<number, string> = {
  400: 'validation_failed: a field is not valid (errors names each), or bad_request: malformed JSON or URL',
  401: 'unauthenticated: no bearer token, or one that is not valid',
  403: 'forbidden: the principal type or a permission the route needs is missing',
  404: 'not_found: no such resource (or not yours)',
  409: 'conflict: the resource changed or is in a state that does not allow this (code names which)',
  413: 'payload_too_large: the body is over the size limit',
  422: 'idempotency_key_reused: the Idempotency-Key was used with a different request',
  429: 'rate_limited: too many requests; retry after Retry-After seconds',
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface RouteSchema {
  body?: unknown;
  querystring?: unknown;
  params?: unknown;
  headers?: unknown;
  response?: Record<string, unknown>;
  security?: readonly Record<string, readonly string[]>[];
  hide?: boolean;
}

const headerNames = (headers: unknown): string[] => {
  const shape = (headers as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape).map((h) => h.toLowerCase()) : [];
};

/** The 4xx statuses a route can answer, from its access rule, its inputs and its method. */
export function errorStatuses(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>): number[] {
  const schema = (route.schema ?? {}) as RouteSchema;
  const access: Access | undefined = route.config?.access;
  const methods = [route.method].flat().map((m) => String(m).toUpperCase());
  const headers = headerNames(schema.headers);
  const statuses = new Set<number>([429]); // every route is behind the gateway's rate limits
  if (schema.body || schema.querystring || schema.params || schema.headers) statuses.add(400);
  if (access && access.kind === 'authenticated') {
    statuses.add(401);
    if (access.types || access.permission) statuses.add(403);
  }
  if (route.url.includes(':')) statuses.add(404);
  if (methods.some((m) => MUTATING.has(m))) statuses.add(409);
  if (schema.body) statuses.add(413);
  if (headers.includes('idempotency-key')) statuses.add(422);
  return [...statuses].sort();
}

/** onRoute hook: adds `security` for non-public routes and a problem+json schema per 4xx status. */
export function documentRoute(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as RouteSchema;
  if (schema.hide) return;
  const access: Access | undefined = route.config?.access;
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  for (const status of errorStatuses(route))
    response[status] ??= problemSchema.describe(DESCRIPTIONS[status]!);
  route.schema = {
    ...(route.schema ?? {}),
    ...(access && access.kind === 'authenticated' && !schema.security ? { security: [{ bearer: [] }] } : {}),
    response,
  };
}

/** jsonSchemaTransform, with every error response documented as application/problem+json. */
export const openApiTransform: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const response = (out.schema as RouteSchema | undefined)?.response;
  if (response) {
    // Only error responses added: keep the default success entry swagger would have written.
    if (!Object.keys(response).some((status) => Number(status) < 400))
      response['200'] = { description: 'Default Response' };
    for (const [status, schema] of Object.entries(response))
      if (Number(status) >= 400) {
        const { description, ...body } = schema as { description?: string };
        response[status] = {
          description: description ?? 'Error',
          content: { 'application/problem+json': { schema: body } },
        };
      }
  }
  return out;
};
