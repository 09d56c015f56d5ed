import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { buildHttpApp } from './app.js';
import type { HttpApp } from './types.js';
import { utf8Validator } from './utf8-body.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');
/** `{"name":"x<bytes>y"}` with raw bytes in the middle of the string. */
const jsonWith = (bytes: number[]) => Buffer.concat([utf8('{"name":"x'), Buffer.from(bytes), utf8('y"}')]);

const INVALID: [string, number[]][] = [
  ['a lone surrogate written as bytes', [0xed, 0xa0, 0x80]],
  ['a byte that is never UTF-8', [0xff]],
  ['an overlong encoding', [0xc0, 0xaf]],
  ['a continuation byte alone', [0x80]],
  ['a character cut off', [0xe2, 0x82]],
];

async function validate(chunks: Buffer[]): Promise<Buffer> {
  const stream = utf8Validator();
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const c of chunks) stream.write(c);
  stream.end();
  await done;
  return Buffer.concat(out);
}

describe('utf8Validator', () => {
  it('passes valid text through unchanged, also a character split across chunks', async () => {
    const euro = utf8('€'); // E2 82 AC
    const chunks = [utf8('price '), euro.subarray(0, 1), euro.subarray(1), utf8(' 😀')];
    expect((await validate(chunks)).toString('utf8')).toBe('price € 😀');
  });

  it.each(INVALID)('refuses %s with 400 bad_request', async (_name, bytes) => {
    await expect(validate([Buffer.from(bytes)])).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('request bodies are refused unless UTF-8 (G8)', () => {
  let app: HttpApp;
  const stored: string[] = [];
  beforeAll(async () => {
    app = await buildHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics({ defaults: false }),
      bodyLimit: 4096,
      docs: false,
    });
    const body = z.object({ name: z.string() });
    app.post('/things', { config: { access: { kind: 'public' } }, schema: { body } }, async (request) => {
      stored.push(request.body.name);
      return { ok: true };
    });
    // A service's raw-body scope (like the webhook routes): its own parser is behind the check too.
    await app.register(async (scoped) => {
      scoped.removeAllContentTypeParsers();
      scoped.addContentTypeParser('*', { parseAs: 'string' }, (_request, raw, done) => done(null, raw));
      scoped.post('/raw', { config: { access: { kind: 'public' } } }, async (request) => {
        stored.push(String(request.body));
        return { ok: true };
      });
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(INVALID)('%s in a JSON body → 400 bad_request, nothing handled', async (_name, bytes) => {
    for (const url of ['/things', '/raw']) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: jsonWith(bytes),
      });
      expect(res.statusCode, `${url} ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        code: 'bad_request',
        detail: 'The request body is not valid UTF-8',
      });
    }
    expect(stored).toEqual([]);
  });

  it('valid multi-byte text is taken as sent', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: utf8('{"name":"Zoë €"}'),
    });
    expect(res.statusCode).toBe(200);
    expect(stored.pop()).toBe('Zoë €');
  });
});
