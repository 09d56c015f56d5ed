import { randomUUID } from 'node:crypto';
import { type Row, row } from './report.js';
import type { Ctx } from './scenarios.js';
import { ADDRESS } from './seed.js';
import { median } from './stats.js';

/**
 * Statements and commits per call of the purchase flow, read from the platform's own counters
 * (`orderline_db_statements_total`, `orderline_db_commits_total` on /metrics). Purchases run one
 * at a time from the bench process; each call is counted twice: during the request (what the
 * caller waits for) and "after" it — the consumers and relays it set off, counted until the
 * counters stand still. The relays' idle polls show up in "after" too (a few statements), so the
 * figures are an upper bound of each call's share.
 */
interface Counters {
  statements: number;
  commits: number;
}

const minus = (a: Counters, b: Counters): Counters => ({
  statements: a.statements - b.statements,
  commits: a.commits - b.commits,
});

const COUNTER = /^orderline_db_(statements|commits)_total(?:\{[^}]*\})? ([0-9.e+]+)$/gm;

async function scrape(origin: string): Promise<Counters> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const c: Counters = { statements: 0, commits: 0 };
  for (const m of text.matchAll(COUNTER)) c[m[1] as keyof Counters] += Number(m[2]);
  return c;
}

/**
 * The counters with the cost of reading them taken out: a /metrics scrape itself runs SQL (outbox,
 * dead-letter and job gauges of every service), the same amount each time, measured at the start
 * as the difference between back-to-back scrapes.
 */
async function meter(origin: string) {
  const first = await scrape(origin);
  const deltas: Counters[] = [];
  let last = first;
  for (let i = 0; i < 5; i++) {
    const next = await scrape(origin);
    deltas.push(minus(next, last));
    last = next;
  }
  const cost: Counters = {
    statements: median(deltas.map((d) => d.statements)),
    commits: median(deltas.map((d) => d.commits)),
  };
  let reads = 0;
  const read = async (): Promise<Counters> => {
    const raw = await scrape(origin);
    reads++;
    return {
      statements: raw.statements - reads * cost.statements,
      commits: raw.commits - reads * cost.commits,
    };
  };
  /** Reads until two reads QUIET_MS apart agree (or MAX_WAIT_MS passed). */
  const settled = async (): Promise<Counters> => {
    const QUIET_MS = 150;
    const MAX_WAIT_MS = 3000;
    const started = Date.now();
    let previous = await read();
    while (Date.now() - started < MAX_WAIT_MS) {
      await new Promise((r) => setTimeout(r, QUIET_MS));
      const now = await read();
      if (now.statements === previous.statements) return now;
      previous = now;
    }
    return previous;
  };
  return { read, settled, cost };
}

export async function statementCounts(ctx: Ctx, purchases = ctx.settings.quick ? 5 : 15) {
  ctx.log(`statements and commits per call (${purchases} sequential purchases)`);
  const m = await meter(ctx.origin);
  const per: Record<string, { during: Counters; after: Counters }[]> = {};
  const note = (call: string, during: Counters, after: Counters) => {
    per[call] ??= [];
    per[call].push({ during, after });
  };
  for (let i = 0; i < purchases; i++) {
    const sku = ctx.store.skus[i % ctx.store.skus.length]!;
    let before = await m.settled();
    const step = async <T>(name: string, fn: () => Promise<{ status: number; json: T }>, status: number) => {
      const res = await fn();
      const answered = await m.read();
      const quiet = await m.settled();
      if (res.status !== status) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.json)}`);
      note(name, minus(answered, before), minus(quiet, answered));
      before = quiet;
      return res.json;
    };
    const cart = await step('create cart', () => ctx.api('POST', '/carts', { currency: 'USD' }), 201);
    const h = { 'x-cart-token': cart.cartToken };
    const base = `/carts/${cart.id}`;
    await step('add item', () => ctx.api('POST', `${base}/items`, { sku, quantity: 1 }, h), 200);
    await step('address', () => ctx.api('PUT', `${base}/shipping-address`, ADDRESS, h), 200);
    const options = await step(
      'options',
      () => ctx.api('GET', `${base}/shipping-options`, undefined, h),
      200,
    );
    await step(
      'shipping method',
      () => ctx.api('PUT', `${base}/shipping-method`, { optionId: options.items[0].id }, h),
      200,
    );
    await step(
      'checkout',
      () =>
        ctx.api(
          'POST',
          '/checkout',
          { cartId: cart.id, payment: { method: 'card', token: 'tok_visa' } },
          { ...h, 'idempotency-key': randomUUID() },
        ),
      201,
    );
  }
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  const total = { during: { statements: 0, commits: 0 }, after: { statements: 0, commits: 0 } };
  for (const [call, samples] of Object.entries(per)) {
    const med = (pick: (s: { during: Counters; after: Counters }) => number) => median(samples.map(pick));
    const figures = {
      statements: med((s) => s.during.statements),
      commits: med((s) => s.during.commits),
      statementsAfter: med((s) => s.after.statements),
      commitsAfter: med((s) => s.after.commits),
    };
    data[call] = figures;
    total.during.statements += figures.statements;
    total.during.commits += figures.commits;
    total.after.statements += figures.statementsAfter;
    total.after.commits += figures.commitsAfter;
    rows.push(
      row(
        'statements per call',
        `${call}: statements / commits`,
        `${figures.statements} / ${figures.commits}`,
        '',
      ),
      row(
        'statements per call',
        `${call}: after it (consumers, relays)`,
        `${figures.statementsAfter} / ${figures.commitsAfter}`,
        '',
      ),
    );
  }
  rows.push(
    row(
      'statements per call',
      'purchase: statements / commits',
      `${total.during.statements} / ${total.during.commits}`,
      '',
    ),
    row(
      'statements per call',
      'purchase: after it (consumers, relays)',
      `${total.after.statements} / ${total.after.commits}`,
      '',
    ),
  );
  return { rows, data: { perCall: data, total, scrapeCost: m.cost } };
}
