import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { buildHttpApp, MAX_PARAM_LENGTH } from './app.js';
import { securityHeaders } from './security-headers.js';
import type { HttpApp } from './types.js';

/** What every answer must carry, whoever wrote it (G8): problem+json, a code, the headers. */
function expectProblem(status: number, headers: Record<string, unknown>, body: string, code: string) {
  expect(headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(body);
  expect(problem).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code),
    title: expect.any(String),
  });
  expect(headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
  expect(problem.requestId).toBe(headers['x-request-id']);
  for (const [name, value] of Object.entries(securityHeaders())) expect(headers[name], name).toBe(value);
  expect(headers['x-powered-by']).toBeUndefined();
}

/** Sends raw bytes and returns the status line, headers and body the server wrote. */
function raw(
  port: number,
  text: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('router and parser errors are problem+json with the security headers', () => {
  let app: HttpApp;
  let port: number;
  beforeAll(async () => {
    app = await buildHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics({ defaults: false }),
      bodyLimit: 1024,
      docs: false,
    });
    app.post(
      '/things/:id',
      {
        config: { access: { kind: 'public' } },
        schema: { params: z.object({ id: z.string() }), body: z.object({ name: z.string() }) },
      },
      async (request) => ({ id: request.params.id }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('the security headers are helmet’s', () => {
    expect(securityHeaders()).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'cross-origin-resource-policy': 'same-site',
    });
  });

  it.each(['%ZZ', '%C0%AF', '%ED%A0%80', '%FF', 'a%E2%82', '%'])(
    'a path parameter %s that is not percent-encoded UTF-8 → 400 bad_request',
    async (param) => {
      const res = await app.inject({ method: 'POST', url: `/things/${param}`, payload: { name: 'x' } });
      expect(res.statusCode).toBe(400);
      expectProblem(400, res.headers, res.body, 'bad_request');
    },
  );

  it('a path parameter over the router limit → 414 uri_too_long', async () => {
    for (const length of [MAX_PARAM_LENGTH + 1, 10 * 1024]) {
      const res = await app.inject({
        method: 'POST',
        url: `/things/${'a'.repeat(length)}`,
        payload: { name: 'x' },
      });
      expect(res.statusCode).toBe(414);
      expectProblem(414, res.headers, res.body, 'uri_too_long');
    }
    const ok = await app.inject({
      method: 'POST',
      url: `/things/${'a'.repeat(MAX_PARAM_LENGTH)}`,
      payload: { name: 'x' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('404, 413 and 415 come from the usual handlers with the same headers', async () => {
    const notFound = await app.inject({ method: 'DELETE', url: '/things/1' });
    expectProblem(404, notFound.headers, notFound.body, 'not_found');
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/things/1',
      payload: { name: 'x'.repeat(4096) },
    });
    expectProblem(413, tooLarge.headers, tooLarge.body, 'payload_too_large');
    const media = await app.inject({
      method: 'POST',
      url: '/things/1',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'name=x',
    });
    expectProblem(415, media.headers, media.body, 'unsupported_media_type');
  });

  it('a 20 KB header over a real connection → 431 problem+json, then the connection closes', async () => {
    const res = await raw(
      port,
      `GET /things/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.headers.connection).toBe('close');
    expectProblem(431, res.headers, res.body, 'header_fields_too_large');
  });

  it('a request the HTTP parser cannot read → 400 problem+json', async () => {
    const res = await raw(port, 'GET /things/1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(res.status).toBe(400);
    expectProblem(400, res.headers, res.body, 'bad_request');
  });

  it('malformed percent-encoding over a real connection is the same problem', async () => {
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/things/%C0%AF' }, (r) => {
          let body = '';
          r.setEncoding('utf8');
          r.on('data', (c) => {
            body += c;
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(res.status).toBe(400);
    expectProblem(400, res.headers, res.body, 'bad_request');
  });
});
