import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { type Latency, latency } from './stats.js';

/**
 * The load generator, run as a CHILD PROCESS (see load.ts) so it never shares an event loop or a
 * heap with the platform under test. Closed loop: `connections` virtual users, each with its own
 * keep-alive connection from an undici Pool, send their next request as soon as the previous
 * answered. Every scenario (bare routes, reads, purchase flow) uses this same code, so ratios
 * compare like with like.
 */
export type Scenario =
  | { kind: 'get'; paths: string[] }
  | { kind: 'post'; path: string; body: unknown }
  /**
   * The whole guest purchase under `prefix` (`/api/v1`, or `/bare` for the bare server's routes of
   * the same shape); `checkout: false` stops before POST /checkout and returns the carts.
   */
  | {
      kind: 'purchase';
      prefix: string;
      skus: string[];
      address: unknown;
      checkout: boolean;
      limit?: number;
      /** Applied to the cart before checkout (POST /carts/{id}/promotions). */
      promotionCode?: string;
    }
  /** POST /checkout for ready carts, each once (hot SKU). */
  | { kind: 'checkouts'; carts: Cart[] };

export interface Cart {
  id: string;
  token: string;
  sku: string;
}

export interface LoadJob {
  origin: string;
  connections: number;
  /** Stop after this long (ignored by `checkouts`, which stops when every cart was tried). */
  durationMs: number;
  scenario: Scenario;
}

export interface LoadResult {
  elapsedMs: number;
  /** Completed units: requests (get/post), purchases (purchase) or checkout calls (checkouts). */
  completed: number;
  failed: number;
  statuses: Record<string, number>;
  /** Per request, or per whole flow for `purchase`. */
  latency: Latency;
  /** The POST /checkout call alone (purchase with checkout, checkouts). */
  checkout?: Latency;
  /** Each call of the purchase flow (where the time goes). */
  steps?: Record<string, Latency>;
  carts?: Cart[];
  /** Checked-out carts with status (checkouts): which sku, 201 or not. */
  outcomes?: { sku: string; status: number; orderId?: string }[];
  errors: string[];
}

const API = '/api/v1';

async function run(job: LoadJob): Promise<LoadResult> {
  const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1 });
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  const samples: number[] = [];
  const checkoutSamples: number[] = [];
  const carts: Cart[] = [];
  const outcomes: NonNullable<LoadResult['outcomes']> = [];
  let completed = 0;
  let failed = 0;
  const note = (status: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  const fail = (what: string) => {
    failed++;
    if (errors.length < 5) errors.push(what.slice(0, 300));
  };

  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers = {}) => {
    const t0 = performance.now();
    const res = await pool.request({
      method,
      path,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    note(res.statusCode);
    return { status: res.statusCode, text, ms: performance.now() - t0 };
  };
  const stepSamples: Record<string, number[]> = {};
  const expect = (r: { status: number; text: string; ms?: number }, status: number, what: string) => {
    if (r.ms !== undefined) {
      stepSamples[what] ??= [];
      stepSamples[what].push(r.ms);
    }
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r.text.length ? JSON.parse(r.text) : undefined;
  };

  const s = job.scenario;
  let next = 0;
  const purchase = async (): Promise<void> => {
    if (s.kind !== 'purchase') return;
    const sku = s.skus[Math.floor(Math.random() * s.skus.length)]!;
    const t0 = performance.now();
    const cart = expect(await call('POST', `${s.prefix}/carts`, { currency: 'USD' }), 201, 'create cart');
    const h = { 'x-cart-token': cart.cartToken };
    const base = `${s.prefix}/carts/${cart.id}`;
    expect(await call('POST', `${base}/items`, { sku, quantity: 1 }, h), 200, 'add item');
    expect(await call('PUT', `${base}/shipping-address`, s.address, h), 200, 'address');
    const options = expect(await call('GET', `${base}/shipping-options`, undefined, h), 200, 'options');
    const optionId = options.items[0].id;
    expect(await call('PUT', `${base}/shipping-method`, { optionId }, h), 200, 'shipping method');
    if (s.promotionCode)
      expect(await call('POST', `${base}/promotions`, { code: s.promotionCode }, h), 200, 'apply code');
    if (!s.checkout) {
      carts.push({ id: cart.id, token: cart.cartToken, sku });
      samples.push(performance.now() - t0);
      return;
    }
    const c0 = performance.now();
    const payment = { method: 'card', token: 'tok_visa' };
    const res = await call(
      'POST',
      `${s.prefix}/checkout`,
      { cartId: cart.id, payment },
      { ...h, 'idempotency-key': randomUUID() },
    );
    const end = performance.now();
    expect(res, 201, 'checkout');
    checkoutSamples.push(end - c0);
    samples.push(end - t0);
  };
  const checkoutOne = async (cart: Cart): Promise<void> => {
    const t0 = performance.now();
    const res = await call(
      'POST',
      `${API}/checkout`,
      { cartId: cart.id, payment: { method: 'card', token: 'tok_visa' } },
      { 'x-cart-token': cart.token, 'idempotency-key': randomUUID() },
    );
    checkoutSamples.push(performance.now() - t0);
    samples.push(performance.now() - t0);
    const body = res.status === 201 ? JSON.parse(res.text) : undefined;
    outcomes.push({ sku: cart.sku, status: res.status, ...(body ? { orderId: body.id } : {}) });
    // 409 out_of_stock is a correct answer under contention, not a failure of the harness.
    if (res.status !== 201 && res.status !== 409) throw new Error(`checkout: ${res.status} ${res.text}`);
  };

  const one = async (): Promise<boolean> => {
    switch (s.kind) {
      case 'get': {
        const t0 = performance.now();
        const r = await call('GET', s.paths[next++ % s.paths.length]!);
        samples.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`GET: ${r.status} ${r.text}`);
        return true;
      }
      case 'post': {
        const t0 = performance.now();
        const r = await call('POST', s.path, s.body);
        samples.push(performance.now() - t0);
        if (r.status >= 300) throw new Error(`POST: ${r.status} ${r.text}`);
        return true;
      }
      case 'purchase':
        if (s.limit !== undefined && next++ >= s.limit) return false;
        await purchase();
        return true;
      case 'checkouts': {
        const cart = s.carts[next++];
        if (!cart) return false;
        await checkoutOne(cart);
        return true;
      }
    }
  };

  const start = performance.now();
  const deadline = start + job.durationMs;
  const bounded = s.kind === 'checkouts' || (s.kind === 'purchase' && s.limit !== undefined);
  const user = async () => {
    while (bounded || performance.now() < deadline) {
      try {
        if (!(await one())) return;
        completed++;
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: job.connections }, user));
  const elapsedMs = performance.now() - start;
  await pool.close();
  return {
    elapsedMs,
    completed,
    failed,
    statuses,
    latency: latency(samples),
    ...(checkoutSamples.length ? { checkout: latency(checkoutSamples) } : {}),
    ...(s.kind === 'purchase'
      ? { steps: Object.fromEntries(Object.entries(stepSamples).map(([k, v]) => [k, latency(v)])) }
      : {}),
    ...(carts.length ? { carts } : {}),
    ...(outcomes.length ? { outcomes } : {}),
    errors,
  };
}

// IPC: the parent sends {id, job}; we answer {id, result} or {id, error}.
process.on('message', (message: { id: number; job: LoadJob }) => {
  run(message.job).then(
    (result) => process.send!({ id: message.id, result }),
    (err: unknown) =>
      process.send!({ id: message.id, error: err instanceof Error ? err.stack : String(err) }),
  );
});
process.send!({ ready: true });
