import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../platform/http/app.js';
import type { HttpApp } from '../../platform/http/types.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createMetrics } from '../../platform/observability/metrics.js';
import { registerPublicEntry } from './gateway.js';
import { registerProxy } from './proxy.js';

const logger = createLogger({ level: 'silent' });

describe('gateway process proxy', () => {
  let upstream: Server;
  let gateway: HttpApp;
  let closeProxy: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, {
          'content-type': 'application/json',
          'access-control-allow-origin': 'https://evil.example',
          'x-upstream': 'yes',
        });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            body: Buffer.concat(chunks).toString(),
            requestId: req.headers['x-request-id'],
            traceparent: req.headers.traceparent ?? null,
            forwardedFor: req.headers['x-forwarded-for'],
            authorization: req.headers.authorization ?? null,
          }),
        );
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    gateway = await buildHttpApp({ logger, metrics: createMetrics(), bodyLimit: 1 << 20, docs: false });
    await registerPublicEntry(gateway, { corsOrigins: [], logger });
    closeProxy = await registerProxy(gateway, {
      routes: [
        { method: 'POST', url: '/api/v1/things/:id', service: 'things' },
        { method: 'GET', url: '/api/v1/down', service: 'down' },
      ],
      upstreams: {
        things: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        down: 'http://127.0.0.1:1',
      },
      timeoutMs: 2000,
      connections: 2,
      breaker: { errorPercent: 50, minCalls: 100, resetMs: 10_000 },
      logger,
    });
    base = await gateway.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await closeProxy();
    await new Promise((r) => upstream.close(r));
  });

  it('forwards method, path, query, body, bearer, request id and traceparent; keeps the answer', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const body = JSON.stringify({ note: 'x'.repeat(100_000) });
    const res = await fetch(`${base}/api/v1/things/42?view=full`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer user-token',
        'x-request-id': 'req-abcdefgh',
        traceparent,
      },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-request-id')).toBe('req-abcdefgh');
    expect(await res.json()).toEqual({
      method: 'POST',
      url: '/api/v1/things/42?view=full',
      body,
      requestId: 'req-abcdefgh',
      traceparent,
      forwardedFor: '127.0.0.1',
      authorization: 'Bearer user-token',
    });
  });

  it('answers 503 upstream_unavailable when the service cannot be reached, 404 off the table', async () => {
    const res = await fetch(`${base}/api/v1/down`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'upstream_unavailable' });
    expect((await fetch(`${base}/api/v1/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/internal/things/x`, { method: 'POST' })).status).toBe(404);
  });
});
