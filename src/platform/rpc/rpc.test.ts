import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGateway } from '../../services/gateway/gateway.js';
import { type Ctx, systemCtx } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { buildHttpApp } from '../http/app.js';
import type { HttpApp } from '../http/types.js';
import { createLogger } from '../logging/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { access } from '../security/access.js';
import { decode, encode } from './codec.js';
import { createRpcClient, type RpcClientSettings } from './rpc.client.js';
import { registerRpcRoutes } from './rpc.server.js';
import type { RpcTable } from './rpc.types.js';
import { serviceTokenIssuer } from './service-token.js';

interface ProbeClient {
  directory: { types: readonly string[]; lookup(id: string): Promise<{ id: string } | undefined> };
  echo(ctx: Ctx, value: unknown): Promise<{ value: unknown; actor: unknown; requestId: string }>;
  fail(kind: 'conflict' | 'validation' | 'unavailable'): Promise<void>;
  write(n: number): Promise<number>;
}

const probeRpc: RpcTable<ProbeClient> = {
  directory: { types: { constant: ['probe'] }, lookup: { path: 'directory/lookup', idempotent: true } },
  echo: { path: 'echo', idempotent: true },
  fail: { path: 'fail', idempotent: true },
  write: { path: 'write', idempotent: false },
};

const impl: ProbeClient = {
  directory: { types: ['probe'], lookup: async (id) => (id === 'known' ? { id } : undefined) },
  echo: async (ctx, value) => ({ value, actor: ctx.actor, requestId: ctx.requestId }),
  fail: async (kind) => {
    if (kind === 'validation')
      throw new AppError('validation', 'validation_failed', 'bad', {
        fields: [{ path: 'sku', message: 'x' }],
      });
    throw new AppError(kind, `probe_${kind}`, `refused: ${kind}`, { extra: { retryAfter: 3n } });
  },
  write: async (n) => n + 1,
};

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const logger = createLogger({ level: 'silent' });
const settings: RpcClientSettings = {
  timeoutMs: 2000,
  retries: 2,
  retryBaseMs: 1,
  connections: 4,
  breaker: { errorPercent: 50, minCalls: 4, resetMs: 60_000 },
};
const noSleep = async () => undefined;

describe('codec', () => {
  it('keeps bigint, Date, Map, Set and undefined, and escapes $-keyed objects', () => {
    const value = {
      amount: 1999n,
      at: new Date('2026-01-02T03:04:05.006Z'),
      prices: new Map([['SKU-1', { amount: -5n, currency: 'USD' }]]),
      tags: new Set(['a']),
      missing: undefined,
      list: [undefined, 1, 'x', null],
      tricky: { $bigint: 'not a bigint' },
    };
    const back = decode(JSON.parse(JSON.stringify(encode(value))));
    expect(back).toEqual({ ...value, missing: undefined });
    expect(decode(encode(undefined))).toBeUndefined();
  });
});

describe('rpc over HTTP', () => {
  let app: HttpApp;
  let baseUrl: string;
  const tokens = serviceTokenIssuer({ secret: SECRET, caller: 'tester', ttlSeconds: 60 });

  beforeAll(async () => {
    app = await buildHttpApp({ logger, metrics: createMetrics(), bodyLimit: 1 << 20, docs: false });
    await registerGateway(app, {
      corsOrigins: [],
      logger,
      authenticate: async () => ({
        type: 'customer',
        id: 'c1',
        roles: [],
        permissions: [],
        permissionsVersion: 1,
        sessionId: 's1',
      }),
      modules: [
        {
          name: 'probe',
          client: {},
          routes: (api) => {
            api.get('/mine', { config: { access: access.authenticated() } }, async (r) => ({
              who: r.principal!.id,
            }));
          },
        },
      ],
    });
    registerRpcRoutes(app, { service: 'probe', table: probeRpc, impl, secret: SECRET });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  const client = () =>
    createRpcClient({ service: 'probe', table: probeRpc, baseUrl, tokens, settings, logger, sleep: noSleep });

  it('carries values, the actor and the request id; nested interfaces and constants work', async () => {
    const rpc = client();
    const ctx = { ...systemCtx(logger, 'job'), requestId: 'req-12345678' };
    const out = await rpc.client.echo(ctx, { n: 7n, when: new Date(0), m: new Map([['a', 1]]) });
    expect(out).toEqual({
      value: { n: 7n, when: new Date(0), m: new Map([['a', 1]]) },
      actor: { type: 'system', id: 'job' },
      requestId: 'req-12345678',
    });
    expect(await rpc.client.directory.lookup('known')).toEqual({ id: 'known' });
    expect(await rpc.client.directory.lookup('nobody')).toBeUndefined();
    expect(rpc.client.directory.types).toEqual(['probe']);
    await rpc.close();
  });

  it('rebuilds the callee AppError with its kind, code, fields and extra', async () => {
    const rpc = client();
    for (const kind of ['conflict', 'unavailable'] as const) {
      const err = await rpc.client.fail(kind).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({
        kind,
        code: `probe_${kind}`,
        message: `refused: ${kind}`,
        extra: { retryAfter: 3n },
      });
    }
    await expect(rpc.client.fail('validation')).rejects.toMatchObject({
      kind: 'validation',
      fields: [{ path: 'sku', message: 'x' }],
    });
    // Domain refusals are not upstream failures: the breaker stays closed.
    expect(rpc.breakerState()).toBe('closed');
    await rpc.close();
  });

  it('internal routes refuse no token, a user token, and a token for another service', async () => {
    const call = (authorization?: string) =>
      fetch(`${baseUrl}/internal/probe/write`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ args: [1] }),
      });
    expect((await call()).status).toBe(401);
    const { privateKey } = await generateKeyPair('ES256');
    const userToken = await new SignJWT({ typ: 'customer' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('c1')
      .setExpirationTime('5m')
      .sign(privateKey);
    const refused = await call(`Bearer ${userToken}`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'invalid_service_token' });
    const otherAudience = await tokens.tokenFor('payment');
    expect((await call(`Bearer ${otherAudience}`)).status).toBe(401);
    const wrongSecret = await serviceTokenIssuer({
      secret: `${SECRET}x`,
      caller: 'x',
      ttlSeconds: 60,
    }).tokenFor('probe');
    expect((await call(`Bearer ${wrongSecret}`)).status).toBe(401);
    const ok = await call(`Bearer ${await tokens.tokenFor('probe')}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: 2 });
  });

  it('public routes refuse a service token', async () => {
    const res = await fetch(`${baseUrl}/api/v1/mine`, {
      headers: { authorization: `Bearer ${await tokens.tokenFor('probe')}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'service_token_refused' });
    const user = await fetch(`${baseUrl}/api/v1/mine`, { headers: { authorization: 'Bearer user' } });
    expect(await user.json()).toEqual({ who: 'c1' });
  });
});

describe('rpc against a failing upstream', () => {
  let server: Server;
  let baseUrl: string;
  const hits: { path: string; key: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push({ path: req.url ?? '', key: String(req.headers['idempotency-key']) });
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  const tokens = serviceTokenIssuer({ secret: SECRET, caller: 'tester', ttlSeconds: 60 });

  it('retries idempotent calls with one idempotency key, never the others', async () => {
    const rpc = createRpcClient({
      service: 'probe',
      table: probeRpc,
      baseUrl,
      tokens,
      settings: { ...settings, breaker: { ...settings.breaker, minCalls: 100 } },
      logger,
      sleep: noSleep,
    });
    hits.length = 0;
    await expect(rpc.client.directory.lookup('x')).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'upstream_unavailable',
    });
    expect(hits.map((h) => h.path)).toEqual(Array(3).fill('/internal/probe/directory/lookup'));
    expect(new Set(hits.map((h) => h.key)).size).toBe(1);
    hits.length = 0;
    await expect(rpc.client.write(1)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(hits).toHaveLength(1);
    await rpc.close();
  });

  it('opens the breaker after repeated failures and then refuses without calling', async () => {
    const rpc = createRpcClient({
      service: 'probe',
      table: probeRpc,
      baseUrl,
      tokens,
      settings: { ...settings, retries: 0 },
      logger,
      sleep: noSleep,
    });
    for (let i = 0; i < 4; i++) await expect(rpc.client.write(i)).rejects.toBeInstanceOf(AppError);
    expect(rpc.breakerState()).toBe('open');
    hits.length = 0;
    await expect(rpc.client.write(9)).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'upstream_circuit_open',
    });
    expect(hits).toHaveLength(0);
    await rpc.close();
  });

  it('times out a call that gets no answer', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const rpc = createRpcClient({
      service: 'probe',
      table: probeRpc,
      baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      tokens,
      settings: { ...settings, timeoutMs: 100, retries: 0 },
      logger,
      sleep: noSleep,
    });
    await expect(rpc.client.write(1)).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await rpc.close();
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });
});
