import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { buildHttpApp } from './app.js';
import type { HttpApp } from './types.js';

describe('buildHttpApp', () => {
  let app: HttpApp;
  let dbUp = true;

  beforeAll(async () => {
    app = await buildHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics({ defaults: false }),
      bodyLimit: 1024,
      docs: true,
      readiness: [
        {
          name: 'database',
          check: async () => {
            if (!dbUp) throw new Error('connection refused');
            return undefined;
          },
        },
      ],
    });
    app.post(
      '/things',
      {
        config: { access: { kind: 'public' } },
        schema: {
          summary: 'Create a thing',
          body: z.object({ name: z.string().min(1), count: z.number().int().positive() }),
          response: { 201: z.object({ name: z.string() }) },
        },
      },
      async (request, reply) => reply.status(201).send({ name: request.body.name }),
    );
    app.get('/boom', { config: { access: { kind: 'public' } } }, async () => {
      throw new Error('relation "internal_table" does not exist');
    });
    app.get('/locked', { config: { access: { kind: 'public' } } }, async () => {
      throw new AppError('locked', 'account_locked', 'Too many attempts', { extra: { retryAfter: 90 } });
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers validation failures with problem+json naming each field', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: '', count: 1.5 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'validation_failed', title: 'Bad Request' });
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.count', 'body.name']);
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x'.repeat(4096), count: 1 },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('hides internal errors behind a generic 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('internal_error');
    expect(res.body).not.toContain('internal_table');
    expect(res.body).not.toContain('at ');
  });

  it('maps AppError kinds and sets Retry-After from the problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/locked' });
    expect(res.statusCode).toBe(423);
    expect(res.headers['retry-after']).toBe('90');
    expect(res.json()).toMatchObject({ code: 'account_locked', detail: 'Too many attempts' });
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', detail: 'No route for GET /nope' });
  });

  it('keeps a valid inbound request id and replaces an unsafe one', async () => {
    const kept = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-123-def-456' },
    });
    expect(kept.headers['x-request-id']).toBe('abc-123-def-456');
    const replaced = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(replaced.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('reports readiness from its checks', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
    dbUp = false;
    const notReady = await app.inject({ method: 'GET', url: '/readyz' });
    dbUp = true;
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not_ready', checks: { database: 'connection refused' } });
  });

  it('exposes Prometheus metrics labelled by route template', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('orderline_http_request_duration_seconds_bucket');
    expect(res.body).toMatch(
      /orderline_http_errors_total\{method="POST",route="\/things",status="400",code="validation_failed"\}/,
    );
  });

  it('serves an OpenAPI 3.1 document listing the routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/things', '/healthz', '/readyz']));
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema.required).toEqual([
      'name',
      'count',
    ]);
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });
});
