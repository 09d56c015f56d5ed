import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors/app-error.js';
import { startTcpProxy } from '../../platform/eventing/eventing.fixtures.js';
import { buildHttpApp } from '../../platform/http/app.js';
import type { HttpApp } from '../../platform/http/types.js';
import { createLogger } from '../../platform/logging/logger.js';
import type { ServiceModule } from '../../platform/module.js';
import { createMetrics } from '../../platform/observability/metrics.js';
import { access } from '../../platform/security/access.js';
import type { Principal } from '../../platform/security/principal.js';
import { registerGateway } from './gateway.js';
import type { RateLimitSettings } from './rate-limit.js';

const principal = (id: string): Principal => ({
  type: 'customer',
  id,
  roles: [],
  permissions: [],
  permissionsVersion: 1,
  sessionId: `s-${id}`,
});
const authenticate = async (token: string): Promise<Principal> => {
  if (!token.startsWith('user-')) throw new AppError('unauthenticated', 'invalid_token', 'not valid');
  return principal(token);
};

const probe: ServiceModule = {
  name: 'probe',
  client: {},
  routes(app) {
    app.get('/items/:id', { config: { access: access.public() } }, async () => ({ ok: true }));
    app.get('/other', { config: { access: access.public() } }, async () => ({ ok: true }));
    app.post('/login', { config: { access: access.public(), rateLimitPolicy: 'credentials' } }, async () => ({
      ok: true,
    }));
  },
};

const base: RateLimitSettings = {
  enabled: true,
  windowMs: 60_000,
  max: 3,
  globalMax: 1_000,
  credentialsMax: 2,
  credentialsWindowMs: 60_000,
  redisUrl: undefined,
  keyPrefix: `orderline-test:rl:${randomBytes(4).toString('hex')}:`,
};

const apps: HttpApp[] = [];
async function gateway(settings: Partial<RateLimitSettings> = {}): Promise<HttpApp> {
  const metrics = createMetrics({ defaults: false });
  const app = await buildHttpApp({
    logger: createLogger({ level: 'silent' }),
    metrics,
    bodyLimit: 1 << 20,
    docs: false,
  });
  await registerGateway(app, {
    corsOrigins: [],
    logger: app.log as never,
    authenticate,
    modules: [probe],
    rateLimits: { settings: { ...base, ...settings }, metrics },
  });
  await app.ready();
  apps.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

type Options = { ip?: string; token?: string; method?: 'GET' | 'HEAD' | 'POST' };
const hit = (app: HttpApp, url: string, o: Options = {}) =>
  app.inject({
    method: o.method ?? 'GET',
    url,
    remoteAddress: o.ip ?? '203.0.113.7',
    ...(o.token ? { headers: { authorization: `Bearer ${o.token}` } } : {}),
  });

describe('rate limiting (GW-P0-02, SE-P2-01)', () => {
  it('counts case, trailing-slash, double-slash, query and HEAD variants of one route in one bucket', async () => {
    const app = await gateway();
    const variants = ['/api/v1/items/1', '/API/V1/Items/1/', '/api/v1//items/1?x=1', '/api/v1/items/1?y=2&z'];
    const statuses = [];
    for (const url of variants) statuses.push((await hit(app, url)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another id is the same route template: still limited. HEAD mirrors GET.
    expect((await hit(app, '/api/v1/items/2')).statusCode).toBe(429);
    expect((await hit(app, '/api/v1/items/3', { method: 'HEAD' })).statusCode).toBe(429);
    // Another route has its own bucket.
    expect((await hit(app, '/api/v1/other')).statusCode).toBe(200);
  });

  it('answers 429 problem+json rate_limited with Retry-After', async () => {
    const app = await gateway({ max: 1 });
    await hit(app, '/api/v1/other');
    const res = await hit(app, '/api/v1/other');
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.json().retryAfter).toBe(retryAfter);
  });

  it('keys anonymous callers by IP and signed-in callers by principal, whatever their IP', async () => {
    const app = await gateway({ max: 2 });
    for (let i = 0; i < 2; i++)
      expect((await hit(app, '/api/v1/other', { ip: '198.51.100.1' })).statusCode).toBe(200);
    expect((await hit(app, '/api/v1/other', { ip: '198.51.100.1' })).statusCode).toBe(429);
    expect((await hit(app, '/api/v1/other', { ip: '198.51.100.2' })).statusCode).toBe(200);
    // A principal on the exhausted IP has its own bucket …
    expect((await hit(app, '/api/v1/other', { ip: '198.51.100.1', token: 'user-a' })).statusCode).toBe(200);
    // … that follows it to another IP.
    expect((await hit(app, '/api/v1/other', { ip: '198.51.100.9', token: 'user-a' })).statusCode).toBe(200);
    expect((await hit(app, '/api/v1/other', { ip: '198.51.100.8', token: 'user-a' })).statusCode).toBe(429);
    expect((await hit(app, '/api/v1/other', { ip: '198.51.100.8', token: 'user-b' })).statusCode).toBe(200);
  });

  it('gives credential routes the stricter budget, per IP even with a token', async () => {
    const app = await gateway({ max: 100, credentialsMax: 2 });
    const login = (o: Options = {}) => hit(app, '/api/v1/login', { method: 'POST', ...o });
    expect((await login()).statusCode).toBe(200);
    expect((await login({ token: 'user-a' })).statusCode).toBe(200);
    expect((await login({ token: 'user-b' })).statusCode).toBe(429);
    expect((await login({ ip: '192.0.2.55' })).statusCode).toBe(200);
  });

  it('caps all clients together with the global limit, before any token is checked', async () => {
    const app = await gateway({ max: 100, globalMax: 3 });
    expect((await hit(app, '/api/v1/other', { ip: '192.0.2.1' })).statusCode).toBe(200);
    expect((await hit(app, '/api/v1/items/1', { ip: '192.0.2.2' })).statusCode).toBe(200);
    expect((await hit(app, '/api/v1/nowhere', { ip: '192.0.2.3' })).statusCode).toBe(404);
    const res = await hit(app, '/api/v1/other', { ip: '192.0.2.4', token: 'forged' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    // Probes are never limited.
    expect((await hit(app, '/healthz')).statusCode).toBe(200);
  });

  it('does nothing when disabled', async () => {
    const app = await gateway({ enabled: false, max: 1 });
    for (let i = 0; i < 3; i++) expect((await hit(app, '/api/v1/other')).statusCode).toBe(200);
  });
});

describe.skipIf(!process.env.REDIS_URL)('rate limiting on Redis', () => {
  it('shares one count across gateway instances', async () => {
    const keyPrefix = `orderline-test:rl:${randomBytes(6).toString('hex')}:`;
    const a = await gateway({ redisUrl: process.env.REDIS_URL, keyPrefix, max: 3 });
    const b = await gateway({ redisUrl: process.env.REDIS_URL, keyPrefix, max: 3 });
    const statuses = [];
    for (const app of [a, b, a, b]) statuses.push((await hit(app, '/api/v1/items/1')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('fails open, visibly, when Redis stops answering', async () => {
    const proxy = await startTcpProxy(process.env.REDIS_URL!);
    try {
      const keyPrefix = `orderline-test:rl:${randomBytes(6).toString('hex')}:`;
      const app = await gateway({ redisUrl: proxy.url, keyPrefix, max: 1 });
      expect((await hit(app, '/api/v1/other')).statusCode).toBe(200);
      expect((await hit(app, '/api/v1/other')).statusCode).toBe(429);
      proxy.down();
      // The limiter must not become the outage: requests pass, and the failure is counted.
      expect((await hit(app, '/api/v1/other')).statusCode).toBe(200);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/orderline_rate_limit_store_errors_total [1-9]/);
    } finally {
      await proxy.close();
    }
  });
});
