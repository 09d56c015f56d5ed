import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { access } from '../security/access.js';
import { buildHttpApp } from './app.js';
import type { HttpApp } from './types.js';

describe('OpenAPI security and error responses come from the access rule and the inputs', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await buildHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics({ defaults: false }),
      bodyLimit: 1024,
      docs: true,
    });
    app.patch(
      '/admin/things/:id',
      {
        config: { access: access.admin('things:write') },
        schema: { params: z.object({ id: z.string() }), body: z.object({ name: z.string() }) },
      },
      async () => {
        throw new AppError('conflict', 'conflict', 'stale');
      },
    );
    app.get('/open', { config: { access: access.public() }, schema: {} }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('documents security and every 4xx as problem+json', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    const op = doc.paths['/admin/things/{id}'].patch;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(op.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '429',
    ]);
    expect(op.responses['400'].content['application/problem+json'].schema.properties.code).toBeDefined();
    const open = doc.paths['/open'].get;
    expect(open.security).toBeUndefined();
    expect(Object.keys(open.responses)).toEqual(['200', '429']);
  });

  it('serializes error bodies through the documented schema without losing members', async () => {
    const res = await app.inject({ method: 'PATCH', url: '/admin/things/1', payload: { name: 'x' } });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'conflict', detail: 'stale', requestId: expect.any(String) });
  });
});
