import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type BareServer, closedLoop, type RawSql } from './baselines.js';
import type { LoadJob, LoadResult } from './load.driver.js';
import type { LoadGenerator } from './load.js';
import { type Row, row } from './report.js';
import { ADDRESS, type Api, BENCH_PROMOTION_CODE, type Store } from './seed.js';
import { type Latency, latency, median, medianLatency } from './stats.js';

/** The benchmark scenarios; each returns printed rows (figure, baseline, ratio) and raw data for JSON. */
export interface Settings {
  quick: boolean;
  levels: number[];
  runs: number;
  runMs: number;
  warmupMs: number;
  hotBuyers: number;
  hotCarts: number;
  hotUnits: number;
  lifecycleProbes: number;
  readConnections: number;
}

export interface Ctx {
  settings: Settings;
  load: LoadGenerator;
  origin: string;
  bare: BareServer;
  raw: RawSql;
  store: Store;
  api: Api;
  poolMax: number;
  /** CPU time (user + system) the platform process has used so far, ms (/proc/<pid>/stat). */
  platformCpuMs(): number;
  log(message: string): void;
}

/** CPU time this process (the bare server and the raw SQL baselines) has used so far, ms. */
const benchCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface Summary {
  perSecond: number;
  latency: Latency;
  checkout?: Latency;
  /** p50 of each call of the purchase flow, median over runs. */
  stepsP50?: Record<string, number>;
  failed: number;
  statuses: Record<string, number>;
  errors: string[];
  /**
   * CPU ms of the serving process per completed unit, over the warm-up and every run (with `cpu`).
   * Work a unit leaves behind (relays, consumers) runs on after its answer and is counted in the
   * next unit's time, so in a steady state it evens out.
   */
  cpuMsPerUnit?: number;
}

/**
 * Warm-up run (discarded), then `runs` runs; medians of throughput and of each percentile. `cpu`
 * reads the serving process's CPU time, for the CPU cost per unit.
 */
async function measure(ctx: Ctx, job: Omit<LoadJob, 'durationMs'>, cpu?: () => number): Promise<Summary> {
  const cpuBefore = cpu?.();
  const warmup = await ctx.load.run({ ...job, durationMs: ctx.settings.warmupMs });
  const results: LoadResult[] = [];
  for (let i = 0; i < ctx.settings.runs; i++)
    results.push(await ctx.load.run({ ...job, durationMs: ctx.settings.runMs }));
  const cpuUsed = cpu && cpuBefore !== undefined ? cpu() - cpuBefore : undefined;
  const units = results.reduce((a, r) => a + r.completed, warmup.completed);
  const statuses: Record<string, number> = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const checkouts = results.flatMap((r) => (r.checkout ? [r.checkout] : []));
  return {
    perSecond: median(results.map((r) => (r.completed * 1000) / r.elapsedMs)),
    latency: medianLatency(results.map((r) => r.latency)),
    ...(checkouts.length ? { checkout: medianLatency(checkouts) } : {}),
    ...(results[0]?.steps
      ? {
          stepsP50: Object.fromEntries(
            Object.keys(results[0].steps).map((k) => [
              k,
              median(results.map((r) => r.steps?.[k]?.p50 ?? Number.NaN)),
            ]),
          ),
        }
      : {}),
    failed: results.reduce((a, r) => a + r.failed, 0),
    statuses,
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    ...(cpuUsed !== undefined ? { cpuMsPerUnit: units > 0 ? cpuUsed / units : Number.NaN } : {}),
  };
}

async function rawRate(ctx: Ctx, fn: () => Promise<void>, concurrency: number) {
  await closedLoop(fn, concurrency, ctx.settings.warmupMs);
  const runs = [];
  for (let i = 0; i < ctx.settings.runs; i++)
    runs.push(await closedLoop(fn, concurrency, ctx.settings.runMs));
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    latency: medianLatency(runs.map((r) => r.latency)),
  };
}

const failures = (s: Summary) => (s.failed > 0 ? ` (${s.failed} failed: ${s.errors[0] ?? ''})` : '');

export async function databaseBaselines(ctx: Ctx) {
  ctx.log(`raw SQL baselines (concurrency ${ctx.poolMax})`);
  const tx = await rawRate(ctx, () => ctx.raw.transaction(), ctx.poolMax);
  const one = await rawRate(ctx, () => ctx.raw.oneStatement(), ctx.poolMax);
  return { tx, one };
}

export async function purchaseFlow(ctx: Ctx, db: Awaited<ReturnType<typeof databaseBaselines>>) {
  const rows: Row[] = [
    row('checkout SQL', '8-statement tx/s', db.tx.perSecond, '/s'),
    row('checkout SQL', 'one-statement tx/s', db.one.perSecond, '/s', {
      name: '8-statement tx',
      value: db.tx.perSecond,
    }),
  ];
  const data: Record<string, unknown> = { rawSql: db };
  for (const c of ctx.settings.levels) {
    /** The guest purchase at this level, on the platform (`/api/v1`) or the bare server (`/bare`). */
    const purchaseJob = (origin: string, prefix: string, promotionCode?: string) => ({
      origin,
      connections: c,
      scenario: {
        kind: 'purchase' as const,
        prefix,
        skus: ctx.store.skus,
        address: ADDRESS,
        checkout: true,
        ...(promotionCode ? { promotionCode } : {}),
      },
    });
    ctx.log(`purchase flow c=${c}`);
    const flow = await measure(ctx, purchaseJob(ctx.origin, '/api/v1'), ctx.platformCpuMs);
    const bare = await measure(ctx, purchaseJob(ctx.bare.origin, '/bare'), benchCpuMs);
    if (flow.failed > 0) ctx.log(`  purchase c=${c}${failures(flow)}`);
    const withCode = await measure(
      ctx,
      purchaseJob(ctx.origin, '/api/v1', BENCH_PROMOTION_CODE),
      ctx.platformCpuMs,
    );
    if (withCode.failed > 0) ctx.log(`  purchase with a code c=${c}${failures(withCode)}`);
    const s = `purchase c=${c}`;
    const bareFlow = { name: 'bare Fastify flow', value: bare.perSecond };
    rows.push(
      row(s, 'purchases/s', flow.perSecond, '/s', bareFlow),
      row(s, 'purchases/s vs raw SQL', flow.perSecond, '/s', {
        name: '8-statement tx',
        value: db.tx.perSecond,
      }),
    );
    rows.push(
      row(s, 'purchases/s with a promotion code', withCode.perSecond, '/s', {
        name: 'plain purchase',
        value: flow.perSecond,
      }),
    );
    rows.push(
      row(s, 'CPU ms per purchase', flow.cpuMsPerUnit ?? Number.NaN, 'ms', {
        name: 'bare Fastify flow',
        value: bare.cpuMsPerUnit ?? Number.NaN,
      }),
    );
    for (const p of ['p50', 'p95', 'p99'] as const)
      rows.push(
        row(s, `flow ${p}`, flow.latency[p], 'ms', { name: 'bare Fastify flow', value: bare.latency[p] }),
      );
    for (const p of ['p50', 'p95', 'p99'] as const)
      rows.push(
        row(s, `checkout ${p}`, flow.checkout?.[p] ?? Number.NaN, 'ms', {
          name: 'bare route + 8-stmt tx',
          value: bare.checkout?.[p] ?? Number.NaN,
        }),
      );
    for (const [step, p50] of Object.entries(flow.stepsP50 ?? {}))
      if (step !== 'checkout')
        rows.push(
          row(s, `${step} p50`, p50, 'ms', {
            name: 'bare Fastify, same call',
            value: bare.stepsP50?.[step] ?? Number.NaN,
          }),
        );
    if (flow.failed > 0) rows.push(row(s, 'failed flows', flow.failed, ''));
    data[`c${c}`] = { flow, bare, withCode };
  }
  return { rows, data };
}

/** Many buyers of few SKUs; afterwards the stock must show no oversell (G1). */
export async function hotSku(ctx: Ctx) {
  const { settings, store } = ctx;
  ctx.log(`hot SKU: preparing ${settings.hotCarts} carts`);
  const prepared = await ctx.load.run({
    origin: ctx.origin,
    connections: 16,
    durationMs: 0,
    scenario: {
      kind: 'purchase',
      prefix: '/api/v1',
      skus: store.hotSkus,
      address: ADDRESS,
      checkout: false,
      limit: settings.hotCarts,
    },
  });
  if (!prepared.carts || prepared.failed > 0)
    throw new Error(`hot SKU: preparing carts failed: ${prepared.errors.join('; ')}`);
  ctx.log(`hot SKU: ${prepared.carts.length} checkouts from ${settings.hotBuyers} buyers`);
  const run = await ctx.load.run({
    origin: ctx.origin,
    connections: settings.hotBuyers,
    durationMs: 0,
    scenario: { kind: 'checkouts', carts: prepared.carts },
  });
  const outcomes = run.outcomes ?? [];
  const ordered = new Map<string, number>(store.hotSkus.map((s) => [s, 0]));
  for (const o of outcomes) if (o.status === 201) ordered.set(o.sku, (ordered.get(o.sku) ?? 0) + 1);
  let oversold = 0;
  let reservedMismatch = 0;
  const stock: Record<string, unknown> = {};
  for (const sku of store.hotSkus) {
    const inv = await ctx.api('GET', `/admin/inventory/${sku}`, undefined, store.admin);
    if (inv.status !== 200) throw new Error(`hot SKU: inventory ${sku}: ${inv.status}`);
    const items: { onHand: number; reserved: number }[] = inv.json.items;
    const onHand = items.reduce((a, i) => a + i.onHand, 0);
    const reserved = items.reduce((a, i) => a + i.reserved, 0);
    // Oversold: a row reserving more than it holds, or more units sold than ever stocked.
    oversold += items.reduce((a, i) => a + Math.max(0, i.reserved - i.onHand), 0);
    oversold += Math.max(0, (ordered.get(sku) ?? 0) - settings.hotUnits);
    if (reserved !== ordered.get(sku)) reservedMismatch++;
    stock[sku] = { onHand, reserved, ordered: ordered.get(sku) };
  }
  const status409 = run.statuses['409'] ?? 0;
  const perSecond = (outcomes.length * 1000) / run.elapsedMs;
  ctx.log('hot SKU: raw SQL baseline on 3 rows');
  const raw = await rawRate(ctx, () => ctx.raw.transaction(true), Math.min(settings.hotBuyers, ctx.poolMax));
  const s = `hot SKU ${store.hotSkus.length}x${settings.hotUnits}`;
  const rows = [
    row(s, 'checkout calls/s', perSecond, '/s', { name: '8-stmt tx on 3 rows', value: raw.perSecond }),
    row(s, 'checkout p99', run.checkout?.p99 ?? Number.NaN, 'ms', {
      name: '8-stmt tx on 3 rows',
      value: raw.latency.p99,
    }),
    row(s, '409 rate', `${((100 * status409) / Math.max(1, outcomes.length)).toFixed(1)} %`, ''),
    row(s, 'oversold', oversold, ''),
    row(s, 'reserved = ordered', reservedMismatch === 0 ? 'yes' : `NO (${reservedMismatch} skus differ)`, ''),
  ];
  if (run.failed > 0) rows.push(row(s, 'unexpected answers', run.failed, ''));
  return {
    rows,
    data: { perSecond, statuses: run.statuses, oversold, reservedMismatch, stock, raw, errors: run.errors },
  };
}

/** Checkout response → order `confirmed` and → fulfillment created, where that lifecycle exists. */
export async function lifecycle(ctx: Ctx) {
  const { store, api } = ctx;
  const toConfirmed: number[] = [];
  const toFulfillment: number[] = [];
  let confirmedBuilt = true;
  let fulfillmentBuilt = true;
  const timeoutMs = 5000;
  for (let i = 0; i < ctx.settings.lifecycleProbes && (confirmedBuilt || fulfillmentBuilt); i++) {
    const cart = await api('POST', '/carts', { currency: 'USD' });
    const h = { 'x-cart-token': cart.json.cartToken };
    const id = cart.json.id;
    await api('POST', `/carts/${id}/items`, { sku: store.skus[i % store.skus.length], quantity: 1 }, h);
    await api('PUT', `/carts/${id}/shipping-address`, ADDRESS, h);
    const options = await api('GET', `/carts/${id}/shipping-options`, undefined, h);
    await api('PUT', `/carts/${id}/shipping-method`, { optionId: options.json.items[0].id }, h);
    const payment = { method: 'card', token: 'tok_visa' };
    const res = await api(
      'POST',
      '/checkout',
      { cartId: id, payment },
      { ...h, 'idempotency-key': randomUUID() },
    );
    const t0 = performance.now();
    if (res.status !== 201)
      throw new Error(`lifecycle probe checkout: ${res.status} ${JSON.stringify(res.json)}`);
    const orderId = res.json.id;
    let confirmedAt: number | undefined;
    let fulfilledAt: number | undefined;
    while (performance.now() - t0 < timeoutMs) {
      if (confirmedBuilt && confirmedAt === undefined) {
        const o = await api('GET', `/orders/${orderId}`, undefined, h);
        if (o.status === 200 && !['pending', 'cancelled'].includes(o.json.status))
          confirmedAt = performance.now();
      }
      if (fulfillmentBuilt && fulfilledAt === undefined) {
        const f = await api('GET', `/admin/fulfillments?orderId=${orderId}`, undefined, store.admin);
        // No fulfillment API yet (404 route) means the lifecycle is not built: report n/a.
        if (f.status !== 200) fulfillmentBuilt = false;
        else if (f.json.items.length > 0) fulfilledAt = performance.now();
      }
      if ((!confirmedBuilt || confirmedAt) && (!fulfillmentBuilt || fulfilledAt)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    if (confirmedAt) toConfirmed.push(confirmedAt - t0);
    else confirmedBuilt = false;
    if (fulfilledAt) toFulfillment.push(fulfilledAt - t0);
    else fulfillmentBuilt = false;
  }
  const notBuilt = 'n/a (lifecycle not built)';
  const c = confirmedBuilt ? latency(toConfirmed) : undefined;
  const f = fulfillmentBuilt ? latency(toFulfillment) : undefined;
  const rows = [
    row('lifecycle', 'checkout → confirmed p50', c ? c.p50 : notBuilt, c ? 'ms' : ''),
    row('lifecycle', 'checkout → confirmed p99', c ? c.p99 : notBuilt, c ? 'ms' : ''),
    row('lifecycle', 'checkout → fulfillment p50', f ? f.p50 : notBuilt, f ? 'ms' : ''),
    row('lifecycle', 'checkout → fulfillment p99', f ? f.p99 : notBuilt, f ? 'ms' : ''),
  ];
  return { rows, data: { confirmed: c ?? notBuilt, fulfillment: f ?? notBuilt } };
}

export async function reads(ctx: Ctx) {
  const c = ctx.settings.readConnections;
  const ids = ctx.store.productIds.slice(0, 500);
  ctx.log(`reads c=${c}`);
  const list = await measure(ctx, {
    origin: ctx.origin,
    connections: c,
    scenario: { kind: 'get', paths: ['/api/v1/products?limit=20'] },
  });
  const bareList = await measure(ctx, {
    origin: ctx.bare.origin,
    connections: c,
    scenario: { kind: 'get', paths: ['/bare/products'] },
  });
  const detail = await measure(ctx, {
    origin: ctx.origin,
    connections: c,
    scenario: { kind: 'get', paths: ids.map((id) => `/api/v1/products/${id}`) },
  });
  const bareDetail = await measure(ctx, {
    origin: ctx.bare.origin,
    connections: c,
    scenario: { kind: 'get', paths: ids.map((id) => `/bare/products/${id}`) },
  });
  const s = `reads c=${c}`;
  const rows = [
    row(s, 'GET /products req/s', list.perSecond, '/s', {
      name: 'bare Fastify, same body',
      value: bareList.perSecond,
    }),
    row(s, 'GET /products p99', list.latency.p99, 'ms', {
      name: 'bare Fastify, same body',
      value: bareList.latency.p99,
    }),
    row(s, 'GET /products/{id} req/s', detail.perSecond, '/s', {
      name: 'bare Fastify, same body',
      value: bareDetail.perSecond,
    }),
    row(s, 'GET /products/{id} p99', detail.latency.p99, 'ms', {
      name: 'bare Fastify, same body',
      value: bareDetail.latency.p99,
    }),
  ];
  for (const [name, r] of [
    ['list', list],
    ['detail', detail],
  ] as const)
    if (r.failed > 0) ctx.log(`  reads ${name}${failures(r)}`);
  return { rows, data: { list, bareList, detail, bareDetail } };
}
