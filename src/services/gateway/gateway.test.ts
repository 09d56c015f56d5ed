import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors/app-error.js';
import { buildHttpApp } from '../../platform/http/app.js';
import type { HttpApp } from '../../platform/http/types.js';
import { createLogger } from '../../platform/logging/logger.js';
import type { ServiceModule } from '../../platform/module.js';
import { createMetrics } from '../../platform/observability/metrics.js';
import { access } from '../../platform/security/access.js';
import type { Principal } from '../../platform/security/principal.js';
import { registerGateway } from './gateway.js';

const principals: Record<string, Principal> = {
  admin: {
    type: 'admin',
    id: 'u1',
    roles: ['admin'],
    permissions: ['*'],
    permissionsVersion: 1,
    sessionId: 's1',
  },
  editor: {
    type: 'admin',
    id: 'u2',
    roles: ['catalog_manager'],
    permissions: ['catalog:write'],
    permissionsVersion: 1,
    sessionId: 's2',
  },
  shipper: {
    type: 'shipper',
    id: 'u3',
    roles: ['shipper'],
    permissions: ['fulfillment:write'],
    permissionsVersion: 1,
    sessionId: 's3',
  },
};

const authenticate = async (token: string): Promise<Principal> => {
  const principal = principals[token];
  if (!principal) throw new AppError('unauthenticated', 'invalid_token', 'The access token is not valid');
  return principal;
};

const probe: ServiceModule = {
  name: 'probe',
  client: {},
  routes(app) {
    app.get('/open', { config: { access: access.public() } }, async (req) => ({
      who: req.principal?.id ?? null,
    }));
    app.get('/mine', { config: { access: access.authenticated() } }, async (req) => ({
      who: req.principal!.id,
    }));
    app.post('/admin/things', { config: { access: access.admin('catalog:write') } }, async () => ({
      ok: true,
    }));
    app.post('/admin/users', { config: { access: access.admin('users:write') } }, async () => ({ ok: true }));
  },
};

async function gatewayApp(modules: ServiceModule[]): Promise<HttpApp> {
  const app = await buildHttpApp({
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics({ defaults: false }),
    bodyLimit: 1 << 20,
    docs: false,
  });
  await registerGateway(app, {
    corsOrigins: ['https://shop.example.com'],
    logger: app.log as never,
    authenticate,
    modules,
  });
  await app.ready();
  return app;
}

describe('gateway access control', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await gatewayApp([probe]);
  });
  afterAll(() => app.close());

  const call = (method: 'GET' | 'POST', url: string, token?: string) =>
    app.inject({ method, url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });

  it('mounts service routes under /api/v1', async () => {
    expect((await call('GET', '/api/v1/open')).json()).toEqual({ who: null });
    expect((await call('GET', '/open')).statusCode).toBe(404);
  });

  it('refuses anonymous calls to protected routes with 401', async () => {
    const res = await call('GET', '/api/v1/mine');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthenticated');
  });

  it('refuses an invalid token even on a public route', async () => {
    const res = await call('GET', '/api/v1/open', 'forged');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses a malformed Authorization header', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/mine',
      headers: { authorization: 'Basic abc' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('checks principal type and permission per route', async () => {
    expect((await call('POST', '/api/v1/admin/things', 'shipper')).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/admin/users', 'editor')).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/admin/things', 'editor')).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/admin/users', 'admin')).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/mine', 'shipper')).json()).toEqual({ who: 'u3' });
  });

  it('authorizes before validating or parsing the body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/things',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });

  it('sends security headers and CORS only to allowed origins', async () => {
    const allowed = await app.inject({
      method: 'GET',
      url: '/api/v1/open',
      headers: { origin: 'https://shop.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(allowed.headers['x-content-type-options']).toBe('nosniff');
    expect(allowed.headers['strict-transport-security']).toBeDefined();
    const other = await app.inject({
      method: 'GET',
      url: '/api/v1/open',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses to start with a route that declares no access rule', async () => {
    const careless: ServiceModule = {
      name: 'careless',
      client: {},
      routes(api) {
        api.get('/forgotten', async () => ({}));
      },
    };
    await expect(gatewayApp([careless])).rejects.toThrow(/GET \/api\/v1\/forgotten declares no access rule/);
  });
});
