import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { type CapturedBodies, closedLoop, createRawSql, startBareServer } from './baselines.js';
import { type Adapter, availableAdapters, platformEventPath, rawNats, rawRedis } from './events.js';
import { startLoadGenerator } from './load.js';
import { type Row, renderTable, row, writeResults } from './report.js';
import {
  type Ctx,
  databaseBaselines,
  hotSku,
  lifecycle,
  purchaseFlow,
  reads,
  type Settings,
} from './scenarios.js';
import { ADDRESS, type Api, api, seedStore } from './seed.js';
import { statementCounts } from './statements.js';
import { mb, median, RssSampler } from './stats.js';
import { type DatabaseKind, startTarget } from './target.js';

/**
 * `npm run bench` (full) / `npm run bench -- --quick`: for each database (PGlite always,
 * PostgreSQL when DATABASE_URL is set) start the compiled platform as its own process, seed it
 * through the API, run the scenarios against it from a child-process load generator, and print
 * every figure beside a baseline measured in the same run. Not a test: no thresholds.
 */
const quick = process.argv.includes('--quick');
/**
 * `--only events` / `--only statements`: just that section (on each database kind); the default run
 * does every section.
 */
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (only !== undefined && only !== 'events' && only !== 'statements')
  throw new Error(`--only: unknown section ${only} (known: events, statements)`);
const settings: Settings = quick
  ? {
      quick,
      levels: [1, 8, 32],
      runs: 2,
      runMs: 2000,
      warmupMs: 1000,
      hotBuyers: 64,
      hotCarts: 225,
      hotUnits: 50,
      lifecycleProbes: 5,
      readConnections: 32,
    }
  : {
      quick,
      levels: [1, 8, 32, 64],
      runs: 5,
      runMs: 8000,
      warmupMs: 3000,
      hotBuyers: 64,
      hotCarts: 600,
      hotUnits: 50,
      lifecycleProbes: 50,
      readConnections: 32,
    };
const catalogSize = quick ? 1_000 : 20_000;
const events = quick ? 2_000 : 20_000;
const started = Date.now();
const log = (message: string) =>
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

/** One real purchase through the API, keeping each response body for the bare server. */
async function captureBodies(call: Api, skus: string[], productId: string): Promise<CapturedBodies> {
  const cart = await call('POST', '/carts', { currency: 'USD' });
  const h = { 'x-cart-token': cart.json.cartToken };
  const base = `/carts/${cart.json.id}`;
  await call('POST', `${base}/items`, { sku: skus[0], quantity: 1 }, h);
  await call('PUT', `${base}/shipping-address`, ADDRESS, h);
  const options = await call('GET', `${base}/shipping-options`, undefined, h);
  const view = await call('PUT', `${base}/shipping-method`, { optionId: options.json.items[0].id }, h);
  const order = await call(
    'POST',
    '/checkout',
    { cartId: cart.json.id, payment: { method: 'card', token: 'tok_visa' } },
    { ...h, 'idempotency-key': randomUUID() },
  );
  const list = await call('GET', '/products?limit=20');
  const detail = await call('GET', `/products/${productId}`);
  for (const [name, r] of Object.entries({ view, order, list, detail }))
    if (r.status >= 300) throw new Error(`capture ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  const s = (v: unknown) => JSON.stringify(v);
  return {
    cart: s(cart.json),
    cartView: s(view.json),
    options: s(options.json),
    order: s(order.json),
    list: s(list.json),
    detail: s(detail.json),
  };
}

async function eventRows(
  kind: DatabaseKind,
  ctx: Pick<Ctx, 'raw'>,
): Promise<{ rows: Row[]; data: Record<string, unknown> }> {
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  const runs = quick ? 2 : 5;
  for (const adapter of availableAdapters()) {
    log(`event path ${adapter}: ${runs} runs of ${events} events`);
    const platform: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < runs; i++) {
      platform.push(await platformEventPath(kind, adapter, events));
      raw.push(await rawBaseline(adapter, ctx));
    }
    const name = baselineName(adapter);
    rows.push(
      row(`events ${adapter}`, 'outbox→bus→consumer', median(platform), 'ev/s', { name, value: median(raw) }),
    );
    data[adapter] = { platform, raw, baseline: name };
  }
  return { rows, data };
}

const baselineName = (adapter: Adapter) =>
  adapter === 'redis'
    ? 'raw XADD + XREADGROUP/XACK'
    : adapter === 'nats'
      ? 'raw JetStream publish/consume'
      : `1-row tx/s, c=8`;

async function rawBaseline(adapter: Adapter, ctx: Pick<Ctx, 'raw'>): Promise<number> {
  if (adapter === 'redis') return rawRedis(events);
  if (adapter === 'nats') return rawNats(events);
  // In memory there is no broker: the floor is the database work an idempotent consumer must do.
  return (await closedLoop(() => ctx.raw.oneRowTransaction(), 8, settings.runMs)).perSecond;
}

/** `--only events`: the platform runs only to give the memory adapter its raw SQL baseline. */
async function benchEventsOnly(kind: DatabaseKind) {
  log(`${kind}: starting the platform (events only)`);
  const target = await startTarget(kind);
  try {
    const raw = await createRawSql(target, target.config.DATABASE_POOL_MAX);
    try {
      const evt = await eventRows(kind, { raw });
      return { rows: evt.rows, data: { events: evt.data } };
    } finally {
      await raw.close();
    }
  } finally {
    await target.close();
  }
}

async function benchDatabase(kind: DatabaseKind, load: Awaited<ReturnType<typeof startLoadGenerator>>) {
  log(`${kind}: starting the platform (its own process: node bin/orderline.mjs start)`);
  const target = await startTarget(kind);
  log(
    `${kind}: platform pid ${target.pid} on ${target.origin}, bus ${target.bus === 'memory' ? 'memory' : 'redis'}`,
  );
  // The platform process's RSS (/proc/<pid>/status), not this process's.
  const sampler = new RssSampler(target.rss);
  try {
    const call = api(target.origin);
    log(`${kind}: seeding ${catalogSize} SKUs through the API`);
    const store = await seedStore(target.origin, {
      catalogSize,
      hotSkus: 3,
      hotUnits: settings.hotUnits,
      stockPerSku: 1_000_000,
    });
    const poolMax = target.config.DATABASE_POOL_MAX;
    const raw = await createRawSql(target, poolMax);
    const bare = await startBareServer(raw, await captureBodies(call, store.skus, store.productIds[0]!));
    await new Promise((r) => setTimeout(r, 1000));
    const rest = target.rss();
    const startupHighWater = target.rssHighWater();
    sampler.start();
    const ctx: Ctx = {
      settings,
      load,
      origin: target.origin,
      bare,
      raw,
      store,
      api: call,
      poolMax,
      platformCpuMs: target.cpuMs,
      log,
    };
    try {
      const statements = await statementCounts(ctx);
      if (only === 'statements') return { rows: statements.rows, data: { statements: statements.data } };
      const db = await databaseBaselines(ctx);
      const purchase = await purchaseFlow(ctx, db);
      const hot = await hotSku(ctx);
      log(`lifecycle probes (${target.bus === 'memory' ? 'memory bus' : 'Redis bus'})`);
      const life = await lifecycle(ctx);
      const read = await reads(ctx);
      const peak = sampler.stop();
      const highWater = target.rssHighWater();
      const evt = await eventRows(kind, ctx);
      const memory = [
        row('memory', 'RSS at rest (after seeding)', mb(rest), 'MB'),
        row('memory', 'RSS peak under load', mb(peak), 'MB', { name: 'RSS at rest', value: mb(rest) }),
        row('memory', 'RSS high-water (VmHWM, start-up incl.)', mb(highWater), 'MB'),
      ];
      const rows = [
        ...purchase.rows,
        ...statements.rows,
        ...hot.rows,
        ...life.rows,
        ...read.rows,
        ...evt.rows,
        ...memory,
      ];
      return {
        rows,
        data: {
          platform: { pid: target.pid, bus: target.bus === 'memory' ? 'memory' : 'redis' },
          purchase: purchase.data,
          statements: statements.data,
          hotSku: hot.data,
          lifecycle: life.data,
          reads: read.data,
          events: evt.data,
          memory: { restBytes: rest, peakBytes: peak, highWaterBytes: highWater, startupHighWater },
        },
      };
    } finally {
      sampler.stop();
      await bare.close();
      await raw.close();
    }
  } finally {
    await target.close();
  }
}

async function main() {
  const kinds: DatabaseKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  log(
    `${quick ? 'quick' : 'full'} run${only ? ` of ${only} only` : ''} on ${kinds.join(' and ')}; adapters: ${availableAdapters().join(', ')}`,
  );
  // The events section drives no HTTP load.
  const load = only === 'events' ? undefined : await startLoadGenerator();
  const results: Record<string, unknown> = {};
  const tables: string[] = [];
  try {
    for (const kind of kinds) {
      const r = load ? await benchDatabase(kind, load) : await benchEventsOnly(kind);
      results[kind] = r.data;
      const title = `Orderline bench (${quick ? 'quick' : 'full'}) on ${kind} — ${machine.cpus} cores, ${machine.node}; platform in its own process; raw baselines and bare server in the bench process; load generator in a child process`;
      tables.push(renderTable(title, r.rows));
      results[`${kind}Rows`] = r.rows;
    }
  } finally {
    await load?.close();
  }
  for (const t of tables) console.log(t);
  const file = writeResults({
    startedAt: new Date(started).toISOString(),
    quick,
    settings,
    catalogSize,
    events,
    machine,
    results,
  });
  console.log(`\nratio = value ÷ baseline (see bench/README.md). JSON: ${file}`);
  log('done');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
