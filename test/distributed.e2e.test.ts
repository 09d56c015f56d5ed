import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from '../scripts/build.mjs';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { generateSigningKey } from '../src/services/auth/module.js';
import { ADDRESS } from './checkout.fakes.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createPostgresDatabase } from './databases.js';

/**
 * Distributed mode end to end (docs/distributed.md): the gateway and every service group's API
 * and worker as separate OS processes (`node bin/orderline.mjs start --services X --role Y`), two
 * replicas of the order and payment workers, on real PostgreSQL with Redis Streams and then NATS
 * JetStream. Run by `npm run test:distributed` (and .ci/run); it needs DATABASE_URL and REDIS_URL
 * (NATS_URL for the NATS run) and fails plainly without them.
 */
const GROUPS: Record<string, string[]> = {
  identity: ['user', 'customer', 'auth', 'notification'],
  catalog: ['catalog', 'pricing', 'warehouse', 'shipping', 'promotion', 'loyalty', 'review'],
  order: ['order'],
  payment: ['payment'],
  ops: ['fulfillment', 'analytics'],
};
/** Worker replicas per group: two where the saga and the money are. */
const WORKERS: Record<string, number> = { identity: 1, catalog: 1, order: 2, payment: 2, ops: 1 };

/** The order as GET /orders/{id} shows it (what this test reads of it). */
interface OrderView {
  status: string;
  paymentStatus: string;
  totals: { total: { amount: string; currency: string } };
  items: { id: string }[];
}

interface Proc {
  name: string;
  port: number;
  child: ChildProcess;
  output: string[];
}

const buses = (): { name: string; url: string }[] => {
  const out = [{ name: 'redis', url: required('REDIS_URL') }];
  if (process.env.NATS_URL) out.push({ name: 'nats', url: process.env.NATS_URL });
  return out;
};

const busNameOf = (env: NodeJS.ProcessEnv): string => (env.BUS_URL ?? 'bus').split(':')[0]!;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for the distributed test (see .ci/run)`);
  return value;
}

describe.each(buses())('distributed mode on PostgreSQL + $name', ({ name: busName, url: busUrl }) => {
  const procs = new Map<string, Proc>();
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let sqlClient: pg.Client;
  let gateway: string;
  let admin: Record<string, string>;
  const base = 20_000 + Math.floor(Math.random() * 20_000);

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> =>
    (await sqlClient.query(text, params)).rows as T[];

  function spawnProcess(
    name: string,
    port: number,
    services: string,
    role: string,
    env: NodeJS.ProcessEnv,
  ): Proc {
    const child = spawn(
      process.execPath,
      ['bin/orderline.mjs', 'start', '--no-demo', '--services', services, '--role', role],
      { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 40) output.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    // DISTRIBUTED_LOG_DIR=/some/dir keeps every process's whole log there (debugging a failure).
    if (process.env.DISTRIBUTED_LOG_DIR) {
      const file = createWriteStream(join(process.env.DISTRIBUTED_LOG_DIR, `${busNameOf(env)}-${name}.log`));
      child.stdout!.pipe(file);
      child.stderr!.pipe(file);
    }
    const proc = { name, port, child, output };
    procs.set(name, proc);
    return proc;
  }

  async function ready(proc: Proc): Promise<void> {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null)
          throw new Error(
            `${proc.name} exited (${proc.child.exitCode}): ${proc.output.join('').slice(-2000)}`,
          );
        const res = await fetch(`http://127.0.0.1:${proc.port}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      `${proc.name} ready`,
      120_000,
    );
  }

  beforeAll(async () => {
    // Build dist/ once here, not in every process at once.
    buildIfStale({ log: () => undefined });
    db = await createPostgresDatabase();
    sqlClient = new pg.Client({ connectionString: db.url });
    await sqlClient.connect();
    const prefix = `dist${randomBytes(4).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.DISTRIBUTED_LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '4',
      BUS_URL: busUrl,
      BUS_PREFIX: prefix,
      REDIS_URL: required('REDIS_URL'),
      RATE_LIMIT_KEY_PREFIX: `${prefix}:`,
      RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_GLOBAL_MAX: '100000000',
      RATE_LIMIT_CREDENTIALS_MAX: '1000000',
      // Service API processes believe the gateway's X-Forwarded-For.
      HTTP_TRUST_PROXY: '127.0.0.1',
      DOCS_ENABLED: 'false',
      SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex'),
      AUTH_JWT_KEYS: JSON.stringify([await generateSigningKey()]),
      PAYMENT_TESTPAY_WEBHOOK_SECRETS: randomBytes(16).toString('hex'),
      SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: randomBytes(16).toString('hex'),
      ANALYTICS_PII_HASH_KEY: randomBytes(16).toString('hex'),
      ORDERLINE_ADMIN_EMAIL: ADMIN_EMAIL,
      ORDERLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // G7 below: the settlement job ticks every 2 s on both payment workers.
      PAYMENT_SETTLEMENT_CRON: '*/2 * * * * *',
      OUTBOX_POLL_MIN_MS: '20',
      // A killed worker's unacknowledged events are taken over by the other replica after this.
      CONSUMER_ACK_WAIT_MS: '3000',
    };
    const groups = Object.keys(GROUPS);
    groups.forEach((group, i) => {
      for (const service of GROUPS[group]!)
        env[`SERVICE_URL_${service.toUpperCase()}`] = `http://127.0.0.1:${base + 1 + i}`;
    });
    // Migrations first, from two processes at once (advisory lock), then everything in parallel.
    await Promise.all([
      runMigrate(env, 'order,payment'),
      runMigrate(env, Object.values(GROUPS).flat().join(',')),
    ]);
    groups.forEach((group, i) => {
      const services = GROUPS[group]!.join(',');
      spawnProcess(`${group}-api`, base + 1 + i, services, 'api', env);
      for (let r = 0; r < WORKERS[group]!; r++)
        spawnProcess(`${group}-worker-${r + 1}`, base + 100 + i * 10 + r, services, 'worker', env);
    });
    const gw = spawnProcess('gateway', base, 'gateway', 'api', env);
    gateway = `http://127.0.0.1:${gw.port}/api/v1`;
    await Promise.all([...procs.values()].map(ready));
    admin = { authorization: `Bearer ${(await login()).accessToken}` };
  }, 240_000);

  afterAll(async () => {
    await Promise.all(
      [...procs.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            p.child.once('exit', () => resolve());
            p.child.kill('SIGTERM');
          }),
      ),
    );
    await sqlClient?.end();
    await db?.drop();
  }, 60_000);

  async function runMigrate(env: NodeJS.ProcessEnv, services: string): Promise<void> {
    const child = spawn(process.execPath, ['bin/orderline.mjs', 'migrate', '--services', services], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`migrate --services ${services} failed (${code}): ${err.slice(-2000)}`);
  }

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${gateway}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }
  async function ok(method: string, path: string, body?: unknown, headers: Record<string, string> = admin) {
    const res = await call(method, path, body, headers);
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.json();
  }
  const login = () =>
    ok('POST', '/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, type: 'admin' }, {});

  async function checkout(sku: string, quantity: number, idempotencyKey = newId()) {
    const cart = await ok('POST', '/carts', { currency: 'USD' }, {});
    const h = { 'x-cart-token': cart.cartToken };
    await ok('POST', `/carts/${cart.id}/items`, { sku, quantity }, h);
    await ok('PUT', `/carts/${cart.id}/shipping-address`, ADDRESS, h);
    const options = await ok('GET', `/carts/${cart.id}/shipping-options`, undefined, h);
    // simcarrier: the development carrier whose scans the test sends back as signed webhooks.
    const option = (options.items as { id: string; carrier: string }[]).find(
      (i) => i.carrier === 'simcarrier',
    );
    await ok('PUT', `/carts/${cart.id}/shipping-method`, { optionId: option!.id }, h);
    const body = { cartId: cart.id, payment: { method: 'card', token: 'tok_visa' } };
    const order = await ok('POST', '/checkout', body, { ...h, 'idempotency-key': idempotencyKey });
    return { id: order.id as string, cartId: cart.id as string, headers: h, body, idempotencyKey };
  }
  const readOrder = (o: { id: string; headers: Record<string, string> }): Promise<OrderView> =>
    ok('GET', `/orders/${o.id}`, undefined, o.headers);
  async function waitForOrder(
    o: { id: string; headers: Record<string, string> },
    what: string,
    done: (b: OrderView) => boolean,
  ): Promise<OrderView> {
    let last: OrderView | undefined;
    await waitFor(
      async () => {
        last = await readOrder(o);
        return done(last);
      },
      `order ${what}`,
      30_000,
    );
    return last!;
  }

  it(`purchase → delivered → return through the gateway; a killed order worker loses and doubles nothing (${busName})`, async () => {
    const warehouse = await ok('POST', '/admin/warehouses', {
      code: `W${newId().slice(-6)}`,
      name: 'Dock',
      capacityPerDay: 100_000,
      address: { line1: '1 Dock Rd', city: 'Oakland', postalCode: '94607', country: 'US' },
      location: { lat: 37.8, lng: -122.3 },
    });
    const sku = `DIST-${newId().slice(-8)}`;
    await ok('POST', '/admin/products', { sku, name: 'Distributed mug', attributes: { weightGrams: 300 } });
    await ok('PUT', `/admin/prices/${sku}`, { amount: '1500', currency: 'USD' });
    await ok('PUT', `/admin/inventory/${warehouse.id}/${sku}`, { onHand: 100 });

    const o = await checkout(sku, 2);
    // Mid-flow: the capture and confirmation are still ahead; one order worker dies without a word.
    procs.get('order-worker-1')!.child.kill('SIGKILL');
    // The client retries the checkout with the same key: the same order, not a second one.
    const again = await ok('POST', '/checkout', o.body, {
      ...o.headers,
      'idempotency-key': o.idempotencyKey,
    });
    expect(again.id).toBe(o.id);
    const confirmed = await waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
    expect(confirmed.paymentStatus).toBe('captured');

    // Fulfil and deliver through the gateway (staff actions, the carrier's signed webhooks).
    let fulfillments: { id: string }[] = [];
    await waitFor(
      async () => {
        fulfillments = (await ok('GET', `/admin/fulfillments?orderId=${o.id}`)).items;
        return fulfillments.length === 1;
      },
      'fulfillment created',
      30_000,
    );
    const f = fulfillments[0]!.id;
    await ok('POST', '/admin/picklists', { fulfillmentIds: [f] });
    await ok('POST', `/admin/fulfillments/${f}/pick`);
    await ok('POST', `/admin/fulfillments/${f}/pack`, { packages: [{ weightGrams: 700 }] });
    await ok('POST', `/admin/fulfillments/${f}/ready`);
    let tracking: string | null = null;
    await waitFor(
      async () => {
        tracking =
          (await ok('GET', `/orders/${o.id}/tracking`, undefined, o.headers)).shipments[0]?.trackingNumber ??
          null;
        return tracking !== null;
      },
      'parcel booked',
      30_000,
    );
    for (const status of ['in_transit', 'delivered']) {
      const hook = await ok('POST', `/dev/simcarrier/parcels/${tracking}/scan`, { status }, {});
      const res = await fetch(`${gateway}/shipping/webhooks/simcarrier`, {
        method: 'POST',
        headers: { ...hook.headers, 'content-type': 'application/json' },
        body: hook.body,
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    }
    const delivered = await waitForOrder(o, 'delivered', (b) => b.status === 'delivered');

    // Return one unit: approved, received → restocked and refunded.
    const item = delivered.items[0]!;
    const requested = await ok(
      'POST',
      `/orders/${o.id}/returns`,
      { items: [{ orderItemId: item.id, quantity: 1 }], reason: 'too small' },
      o.headers,
    );
    await ok('POST', `/admin/returns/${requested.id}/approve`);
    await ok('POST', `/admin/returns/${requested.id}/receive`);
    await waitFor(
      async () => (await ok('GET', `/admin/returns/${requested.id}`)).status === 'completed',
      'return completed',
      30_000,
    );

    // G3/G4: one order for the checkout, exactly one capture, one refund of one unit.
    const orders = await sql<{ n: string }>('SELECT count(*) AS n FROM "order".orders WHERE cart_id = $1', [
      o.cartId,
    ]);
    expect(orders[0]!.n).toBe('1');
    const payments = (await ok('GET', `/admin/payments?orderId=${o.id}`)).items;
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      status: 'partially_refunded',
      capturedAmount: confirmed.totals.total,
    });
    const captures = await sql<{ n: string }>(
      "SELECT count(*) AS n FROM payment.payment_operations WHERE payment_id = $1 AND kind = 'capture' AND status = 'succeeded'",
      [payments[0].id],
    );
    expect(captures[0]!.n).toBe('1');
  }, 180_000);

  it(`a scheduled job runs once per tick across the two payment workers (G7, ${busName})`, async () => {
    await waitFor(
      async () =>
        Number(
          (
            await sql<{ n: string }>(
              "SELECT count(*) AS n FROM payment.job_runs WHERE job = 'order-settlement'",
            )
          )[0]!.n,
        ) >= 3,
      'three settlement ticks',
      30_000,
    );
    const perTick = await sql<{ tick: string; n: string }>(
      "SELECT tick, count(*) AS n FROM payment.job_runs WHERE job = 'order-settlement' GROUP BY tick HAVING count(*) > 1",
    );
    expect(perTick).toEqual([]);
    const both =
      procs.get('payment-worker-1')!.child.exitCode === null &&
      procs.get('payment-worker-2')!.child.exitCode === null;
    expect(both).toBe(true);
  }, 60_000);
});
