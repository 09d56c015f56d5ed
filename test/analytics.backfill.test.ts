import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { INGESTED_TOPICS } from '../src/services/analytics/consumers/lifecycle.consumers.js';
import { ANALYTICS_ENV } from './analytics.fixtures.js';
import { TEST_DATABASES } from './harness.js';
import { type OrderWorld, SERVICES, startOrderWorld } from './order.fixtures.js';

const NEVER = '0 0 1 1 *';
const PAGE_SIZE = 3;
/** The publishing services of this world: each has an outbox the backfill reads. */
const SOURCES = SERVICES.filter((s) => s !== 'analytics');
const INGESTED = Object.keys(INGESTED_TOPICS);
/** Everything analytics derives from events; the inbox marks go too, as if it had never seen them. */
const DERIVED = [
  'events',
  'order_facts',
  'payment_facts',
  'fulfillment_steps',
  'shipment_steps',
  'return_steps',
  'products',
  'customers',
  'metric_buckets',
  'processed_events',
];

interface Backfill {
  id: string;
  status: string;
  totals: { eventsRead: number; ingested: number; duplicates: number; invalid: number };
  sources: { source: string; status: string; eventsRead: number; ingested: number; cursor: string | null }[];
}

describe.each(TEST_DATABASES)('analytics backfill (%s)', (kind) => {
  let world: OrderWorld;
  let from: Date;
  let to: Date;
  const run = () => world.platform.orderline.eventing.scheduler('analytics')!.runNow('backfill');
  const backfill = async (body: object): Promise<Backfill> => {
    const res = await world.adminCall('POST', '/admin/analytics/backfill', body);
    expect(res.statusCode, res.body).toBe(202);
    return res.json();
  };
  const progress = async (id: string): Promise<Backfill> =>
    world.ok(world.adminCall('GET', `/admin/analytics/backfill/${id}`));
  const runToEnd = async (id: string): Promise<Backfill> => {
    for (let i = 0; i < 200; i++) {
      expect(await run()).toMatchObject({ ran: true, status: 'succeeded' });
      const p = await progress(id);
      if (p.status !== 'queued' && p.status !== 'running') return p;
    }
    throw new Error(`backfill ${id} did not finish`);
  };
  /** The ingested events the source services published in the window, from their outboxes. */
  const published = async (window = true) => {
    let n = 0;
    for (const source of SOURCES)
      n += Number(
        (
          await world
            .schema(source)
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', 'published')
            .where('topic', 'in', INGESTED)
            .$if(window, (q) => q.where('created_at', '>=', from).where('created_at', '<', to))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return n;
  };
  const stored = async () =>
    (
      await sql<{ topic: string; n: number }>`
        SELECT topic, COUNT(*)::int AS n FROM analytics.events GROUP BY topic ORDER BY topic`.execute(
        world.platform.orderline.database.root,
      )
    ).rows;
  /** What live ingestion produced: facts and the reports computed from them. */
  const figures = async () => {
    const window = `?from=${from.toISOString()}&to=${new Date(to.getTime() + 60_000).toISOString()}`;
    const revenue = await world.ok(world.adminCall('GET', `/analytics/revenue${window}`));
    const orders = await world.ok(world.adminCall('GET', `/analytics/orders${window}`));
    const facts = await world
      .schema('analytics')
      .selectFrom('order_facts')
      .select(['order_id', 'sequence', 'status', 'customer_key'])
      .select(sql<string>`total_amount::text`.as('total'))
      .orderBy('order_id')
      .execute();
    const payments = await world
      .schema('analytics')
      .selectFrom('payment_facts')
      .select(['id', 'kind', sql<string>`amount::text`.as('amount')])
      .orderBy('id')
      .execute();
    return { byCurrency: revenue.byCurrency, orders, facts, payments };
  };
  const wipe = async () => {
    for (const table of DERIVED) await world.schema('analytics').deleteFrom(table).execute();
  };

  let live: Awaited<ReturnType<typeof figures>>;
  let liveStored: { topic: string; n: number }[];
  let total: number;

  beforeAll(async () => {
    from = new Date(Date.now() - 60_000);
    world = await startOrderWorld(
      kind,
      {
        ...ANALYTICS_ENV,
        ANALYTICS_BACKFILL_CRON: NEVER,
        ANALYTICS_BACKFILL_PAGE_SIZE: String(PAGE_SIZE),
        ANALYTICS_BACKFILL_PAGES_PER_RUN: '2',
        ANALYTICS_BACKFILL_MAX_WINDOW_HOURS: '48',
      },
      [...SERVICES, 'analytics'],
    );
    await world.product('BF-MUG', '1250', 20);
    await world.product('BF-CUP', '990', 20);
    const orders = [
      await world.confirmedOrder([['BF-MUG', 2]]),
      await world.confirmedOrder([
        ['BF-CUP', 1],
        ['BF-MUG', 1],
      ]),
    ];
    // Live ingestion settled: every published event of the window is in analytics.
    await waitFor(
      async () =>
        (
          await world
            .schema('analytics')
            .selectFrom('order_facts')
            .select('status')
            .where(
              'order_id',
              'in',
              orders.map((o) => o.id),
            )
            .execute()
        ).filter((f) => f.status === 'confirmed').length === orders.length,
      'both orders confirmed in analytics',
      15_000,
    );
    await waitFor(
      async () => (await stored()).reduce((n, r) => n + r.n, 0) === (await published(false)),
      'analytics holds every published event',
      15_000,
    );
    to = new Date();
    await new Promise((r) => setTimeout(r, 5));
    total = await published();
    live = await figures();
    liveStored = await stored();
    expect(total).toBeGreaterThan(PAGE_SIZE * 2);
    expect(live.facts).toHaveLength(2);
  });
  afterAll(() => world?.close());

  it('over events already ingested from the bus adds nothing: every event read is a duplicate', async () => {
    const queued = await backfill({ from: from.toISOString(), to: to.toISOString() });
    expect(queued.status).toBe('queued');
    expect(queued.sources.map((s) => s.source).sort()).toEqual([...SOURCES].sort());
    const done = await runToEnd(queued.id);
    expect(done.status).toBe('completed');
    expect(done.totals).toEqual({ eventsRead: total, ingested: 0, duplicates: total, invalid: 0 });
    expect(await stored()).toEqual(liveStored);
    expect(await figures()).toEqual(live);
  });

  it('after analytics lost its events, re-ingests the window to the same figures; twice = once', async () => {
    await wipe();
    expect((await figures()).facts).toEqual([]);
    const first = await runToEnd((await backfill({ from: from.toISOString(), to: to.toISOString() })).id);
    expect(first.status).toBe('completed');
    expect(first.totals).toEqual({ eventsRead: total, ingested: total, duplicates: 0, invalid: 0 });
    expect(first.sources.every((s) => s.status === 'completed')).toBe(true);
    expect(await stored()).toEqual(liveStored);
    expect(await figures()).toEqual(live);

    const second = await runToEnd((await backfill({ from: from.toISOString(), to: to.toISOString() })).id);
    expect(second.totals).toEqual({ eventsRead: total, ingested: 0, duplicates: total, invalid: 0 });
    expect(await stored()).toEqual(liveStored);
    expect(await figures()).toEqual(live);
  });

  it('resumes from its stored cursors: stopped after one run, it completes without double counting', async () => {
    await wipe();
    const { id } = await backfill({ from: from.toISOString(), to: to.toISOString() });
    expect(await run()).toMatchObject({ ran: true, status: 'succeeded' });
    // One run is two pages of at most three events: progress is visible and partial.
    const partial = await progress(id);
    expect(partial.status).toBe('running');
    expect(partial.totals.eventsRead).toBeGreaterThan(0);
    expect(partial.totals.eventsRead).toBeLessThanOrEqual(2 * PAGE_SIZE);
    expect(partial.totals.ingested).toBe(partial.totals.eventsRead);
    expect((await stored()).reduce((n, r) => n + r.n, 0)).toBe(partial.totals.ingested);

    // The next runs (another replica, or this one after a restart) go on from the stored cursors.
    const done = await runToEnd(id);
    expect(done.status).toBe('completed');
    expect(done.totals).toEqual({ eventsRead: total, ingested: total, duplicates: 0, invalid: 0 });
    expect(await stored()).toEqual(liveStored);
    expect(await figures()).toEqual(live);
  });

  it('backfills only the topics asked for', async () => {
    await wipe();
    const done = await runToEnd(
      (
        await backfill({
          from: from.toISOString(),
          to: to.toISOString(),
          topics: ['payments.payment.confirmed', 'payments.payment.confirmed'],
        })
      ).id,
    );
    expect(done.sources.map((s) => s.source)).toEqual(['payment']);
    expect((await stored()).map((r) => r.topic)).toEqual(['payments.payment.confirmed']);
    expect(done.totals.ingested).toBe(2);
    // Restore the rest for the tests after this one.
    await runToEnd((await backfill({ from: from.toISOString(), to: to.toISOString() })).id);
    expect(await figures()).toEqual(live);
  });

  it('refuses bad input with stable codes and needs an admin', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const cases: [object, string][] = [
      [{ from: iso(now - 1000), to: iso(now - 2000) }, 'backfill_window_invalid'],
      [{ from: iso(now - 1000), to: iso(now - 1000) }, 'backfill_window_invalid'],
      [{ from: iso(now - 1000), to: iso(now + 3_600_000) }, 'backfill_window_in_future'],
      [{ from: iso(now - 49 * 3_600_000), to: iso(now - 1000) }, 'backfill_window_too_long'],
      [
        { from: iso(now - 1000), to: iso(now - 500), topics: ['orders.cart.nope'] },
        'backfill_topic_not_ingested',
      ],
      [
        { from: iso(now - 1000), to: iso(now - 500), topics: ['auth.password_changed'] },
        'backfill_topic_not_ingested',
      ],
      [{ from: 'yesterday', to: iso(now - 500) }, 'validation_failed'],
      [{ to: iso(now - 500) }, 'validation_failed'],
      [{ from: iso(now - 1000), to: iso(now - 500), extra: 1 }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const res = await world.adminCall('POST', '/admin/analytics/backfill', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code, JSON.stringify(body)).toBe(code);
    }
    expect((await world.adminCall('GET', `/admin/analytics/backfill/${newId()}`)).statusCode).toBe(404);
    expect((await world.adminCall('GET', '/admin/analytics/backfill/not-an-id')).statusCode).toBe(400);
    const anonymous = await world.inject('POST', '/admin/analytics/backfill', {
      from: iso(now - 1000),
      to: iso(now - 500),
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
