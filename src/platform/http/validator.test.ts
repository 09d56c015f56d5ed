import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { buildHttpApp } from './app.js';
import type { HttpApp } from './types.js';

describe('the validation layer refuses U+0000 and lone surrogates in every request part', () => {
  let app: HttpApp;
  let handled = 0;
  beforeAll(async () => {
    app = await buildHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics({ defaults: false }),
      bodyLimit: 1 << 20,
      docs: false,
    });
    app.post(
      '/notes/:id',
      {
        config: { access: { kind: 'public' } },
        schema: {
          params: z.object({ id: z.string() }),
          querystring: z.object({ tag: z.string().optional() }),
          headers: z.object({ 'x-note-token': z.string().optional() }),
          body: z.object({ text: z.string(), meta: z.record(z.string(), z.string()).optional() }),
        },
      },
      async () => {
        handled++;
        return { ok: true };
      },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', ...headers },
    });

  it.each([
    ['body', '/notes/1', { text: 'a\u0000b' }, {}, 'body.text'],
    ['body (lone surrogate)', '/notes/1', { text: 'x\ud800y' }, {}, 'body.text'],
    ['a body key', '/notes/1', { text: 'ok', meta: { 'k\udfff': 'v' } }, {}, 'body.meta.k\udfff'],
    ['a path parameter', '/notes/a%00b', { text: 'ok' }, {}, 'params.id'],
    ['the query', '/notes/1?tag=%00', { text: 'ok' }, {}, 'querystring.tag'],
    ['a header', '/notes/1', { text: 'ok' }, { 'x-note-token': '\ud800' }, 'headers.x-note-token'],
  ])('in %s', async (_part, url, payload, headers, path) => {
    const before = handled;
    const res = await post(url, payload, headers);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual([{ path, message: expect.stringContaining('U+0000') }]);
    expect(handled).toBe(before);
  });

  it('lets well-formed text through, including astral characters and U+FFFD', async () => {
    const res = await post('/notes/%F0%9F%98%80?tag=%EF%BF%BD', {
      text: 'Grüße 😀 \ufffd',
      meta: { k: 'v' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('still reports the schema errors of text that is safe', async () => {
    const res = await post('/notes/1', { text: 5 });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.text']);
  });
});
