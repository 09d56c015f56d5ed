import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config/config.js';
import { createStaff, loginPair } from './auth.fixtures.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  bearer,
  loginAs,
  startTestPlatform,
  TEST_DATABASES,
  type TestPlatform,
} from './harness.js';

const CREDENTIALS_MAX = 3;
const CLIENT_MAX = 4;
const limits = {
  RATE_LIMIT_MAX: String(CLIENT_MAX),
  RATE_LIMIT_CREDENTIALS_MAX: String(CREDENTIALS_MAX),
  RATE_LIMIT_GLOBAL_MAX: '100000',
  BODY_LIMIT_BYTES: '4096',
};

type App = TestPlatform['app'];
const loginAt = (app: App, url: string, ip = '203.0.113.10', email = ADMIN_EMAIL) =>
  app.inject({
    method: 'POST',
    url,
    remoteAddress: ip,
    payload: { email, password: ADMIN_PASSWORD, type: 'admin' },
  });

describe.each(TEST_DATABASES)('gateway hardening through the real API (%s)', (database) => {
  let platform: TestPlatform;
  let app: App;
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: ['user', 'auth'], env: limits });
    app = platform.app;
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('counts login variants (case, trailing and double slash, query) in one stricter bucket: 429 with Retry-After', async () => {
    const variants = ['/api/v1/auth/login', '/API/V1/AUTH/LOGIN/', '/api/v1//auth//login?x=1'];
    for (const url of variants) expect((await loginAt(app, url)).statusCode).toBe(200);
    const res = await loginAt(app, '/api/v1/Auth/Login?utm=1');
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Wrong passwords count too (credential stuffing), and another IP has its own budget.
    expect((await loginAt(app, '/api/v1/auth/login', '203.0.113.11', 'nobody@example.com')).statusCode).toBe(
      401,
    );
    expect((await loginAt(app, '/api/v1/auth/login', '203.0.113.11')).statusCode).toBe(200);
  });

  it('limits signed-in callers per principal and anonymous ones per IP', async () => {
    const a = (await loginAt(app, '/api/v1/auth/login', '198.51.100.21')).json().accessToken as string;
    const shipper = await createStaff(app, a);
    const b = (await loginPair(app, shipper.email, shipper.password, 'shipper')).accessToken;
    const sessions = (token: string, url = '/api/v1/auth/sessions', ip = '198.51.100.30') =>
      app.inject({ method: 'GET', url, headers: bearer(token), remoteAddress: ip });
    const urls = ['/api/v1/auth/sessions', '/api/v1/AUTH/sessions/', '/api/v1/auth//sessions?page=2'];
    for (let i = 0; i < CLIENT_MAX; i++)
      expect((await sessions(a, urls[i % urls.length])).statusCode).toBe(200);
    expect((await sessions(a, '/api/v1/auth/sessions', '198.51.100.99')).statusCode).toBe(429);
    expect((await sessions(b)).statusCode).toBe(200);

    const anonymousRefresh = (ip: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        remoteAddress: ip,
        payload: { refreshToken: 'x' },
      });
    for (let i = 0; i < CLIENT_MAX; i++) expect((await anonymousRefresh('192.0.2.40')).statusCode).toBe(401);
    expect((await anonymousRefresh('192.0.2.40')).statusCode).toBe(429);
    expect((await anonymousRefresh('192.0.2.41')).statusCode).toBe(401);
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413 problem+json, before it reaches a service', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      remoteAddress: '192.0.2.60',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ refreshToken: 'x'.repeat(8192) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('sends security headers and echoes a valid X-Request-Id, replacing an invalid one', async () => {
    const ok = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/.well-known/jwks.json',
      remoteAddress: '192.0.2.70',
      headers: {
        'x-request-id': 'client-req-12345',
        traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-request-id']).toBe('client-req-12345');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(ok.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(ok.headers['x-powered-by']).toBeUndefined();
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/.well-known/jwks.json',
      remoteAddress: '192.0.2.70',
      headers: { 'x-request-id': 'bad id\twith tab' },
    });
    expect(bad.headers['x-request-id']).not.toBe('bad id\twith tab');
    expect(bad.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
  });

  it('refuses a gateway body limit over 10 MB in configuration (GW-P1-03)', () => {
    expect(() => loadConfig({ BODY_LIMIT_BYTES: String(10 * 1024 * 1024 + 1) })).toThrow(/BODY_LIMIT_BYTES/);
    expect(loadConfig({ BODY_LIMIT_BYTES: String(10 * 1024 * 1024) }).BODY_LIMIT_BYTES).toBe(
      10 * 1024 * 1024,
    );
  });
});

describe.skipIf(!process.env.REDIS_URL)('rate limits shared through Redis', () => {
  const database = TEST_DATABASES[TEST_DATABASES.length - 1]!;
  let one: TestPlatform;
  let two: TestPlatform;
  beforeAll(async () => {
    // A unique key prefix per run: other runs on the same Redis do not share these counters.
    const env = {
      ...limits,
      REDIS_URL: process.env.REDIS_URL!,
      RATE_LIMIT_KEY_PREFIX: `orderline-test:${randomBytes(6).toString('hex')}:`,
    };
    one = await startTestPlatform(database, { services: ['user', 'auth'], env });
    two = await startTestPlatform(database, { services: ['user', 'auth'], env });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('two instances count the same client in one bucket', async () => {
    const statuses = [];
    for (const p of [one, two, one]) statuses.push((await loginAt(p.app, '/api/v1/auth/login')).statusCode);
    expect(statuses).toEqual([200, 200, 200]);
    const res = await loginAt(two.app, '/API/v1/auth/login/');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    // Both still serve other clients.
    expect((await loginAs(one.app)).accessToken).toBeTruthy();
  });
});
