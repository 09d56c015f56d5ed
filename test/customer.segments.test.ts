import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/platform/clock.js';
import { eventingMetrics } from '../src/platform/eventing/eventing.metrics.js';
import type { PlatformTables } from '../src/platform/eventing/platform.tables.js';
import { newId } from '../src/platform/ids.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import { Scheduler } from '../src/platform/scheduler/scheduler.js';
import {
  customerToken,
  GERMAN_ADDRESS,
  registered,
  SERVICES,
  TEST_ENV,
  verifiedCustomer,
} from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import { deliver, refundEvent, type SyntheticOrder, statusEvent } from './lifecycle.fixtures.js';

const NEVER = '0 0 1 1 *';
const PER_TOPIC = { 'orders.order.status_changed': 1, 'payments.refund.completed': 1 };
const DAY = 86_400_000;

/**
 * Segments (SEG, C13, C15) through the admin API: rule validation, CRUD, event-driven evaluation
 * of one customer when their statistics change, the nightly keyset-paged evaluation deciding
 * exactly what the per-customer evaluation decides, resuming from its cursor, and the scheduler's
 * once-per-tick guarantee across two instances (G7).
 */
describe.each(TEST_DATABASES)('customer segments on %s', (kind) => {
  let p: TestPlatform;
  let admin: Record<string, string>;
  beforeAll(async () => {
    p = await startTestPlatform(kind, {
      services: SERVICES,
      env: {
        ...TEST_ENV,
        // Pages of two customers, so the nightly run really walks keyset pages.
        CUSTOMER_JOB_BATCH_SIZE: '2',
        CUSTOMER_SEGMENT_EVALUATION_CRON: NEVER,
        CUSTOMER_STATS_RECONCILIATION_CRON: NEVER,
      },
    });
    admin = bearer((await loginAs(p.app)).accessToken);
  });
  afterAll(() => p?.close());

  const call = (method: string, url: string, payload?: unknown) =>
    p.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: admin,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const created = async (body: object): Promise<{ id: string; version: number }> => {
    const res = await call('POST', '/admin/segments', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const members = async (segmentId: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        'GET',
        `/admin/segments/${segmentId}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const page: { items: { customerId: string }[]; nextCursor: string | null } = res.json();
      out.push(...page.items.map((i) => i.customerId));
      cursor = page.nextCursor;
    } while (cursor);
    return out.sort();
  };
  const db = () => p.orderline.database.root.withSchema('customer');
  const runNightly = () => p.orderline.eventing.scheduler('customer')!.runNow('segment-evaluation');
  const delivered = (
    customerId: string,
    total: string,
    at: Date,
  ): SyntheticOrder & { events: ReturnType<typeof statusEvent>[] } => {
    const o = { orderId: newId(), customerId, total };
    return { ...o, events: [statusEvent(o, 'delivered', at)] };
  };

  it('refuses bad rules and bad input with 400 problem+json, duplicates and stale versions with 409, unknown ids with 404', async () => {
    for (const rules of [
      {},
      { ordersAtLeast: -1 },
      { ordersAtLeast: 1.5 },
      { totalSpentAtLeast: { amount: '10.5', currency: 'USD' } },
      { totalSpentAtLeast: { amount: '100', currency: 'XXQ' } },
      { countries: ['ZZ'] },
      { countries: [] },
      { registrationSources: ['Web Shop'] },
      { lastOrderWithinDays: 0 },
      { unknownRule: 1 },
    ]) {
      const res = await call('POST', '/admin/segments', { name: `bad-${newId()}`, rules });
      expect(res.statusCode, JSON.stringify(rules)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('validation_failed');
    }
    expect(
      (await call('POST', '/admin/segments', { name: '', rules: { ordersAtLeast: 1 } })).statusCode,
    ).toBe(400);
    const s = await created({ name: `crud-${newId()}`, rules: { ordersAtLeast: 1 } });
    const dup = await call('POST', '/admin/segments', {
      name: (await call('GET', `/admin/segments/${s.id}`)).json().name,
      rules: { ordersAtLeast: 2 },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('segment_name_taken');
    const patched = await call('PATCH', `/admin/segments/${s.id}`, {
      version: s.version,
      rules: { ordersAtLeast: 3 },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ version: s.version + 1, rules: { ordersAtLeast: 3 } });
    const stale = await call('PATCH', `/admin/segments/${s.id}`, { version: s.version, active: false });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('conflict');
    expect((await call('PATCH', `/admin/segments/${s.id}`, { rules: { ordersAtLeast: 3 } })).statusCode).toBe(
      400,
    );
    expect((await call('GET', `/admin/segments/${newId()}`)).statusCode).toBe(404);
    expect((await call('GET', '/admin/segments/not-a-uuid')).statusCode).toBe(404);
    expect((await call('GET', `/admin/segments/${s.id}/members?cursor=bogus`)).statusCode).toBe(400);
    const list = await call('GET', '/admin/segments?limit=100');
    expect(list.json().items.map((i: { id: string }) => i.id)).toContain(s.id);
    expect((await call('DELETE', `/admin/segments/${s.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/admin/segments/${s.id}`)).statusCode).toBe(404);
    // A customer cannot reach the admin API.
    const c = await verifiedCustomer(p.app);
    const token = (await customerToken(p.app, c)).accessToken;
    const res = await p.app.inject({ method: 'GET', url: '/api/v1/admin/segments', headers: bearer(token) });
    expect(res.statusCode).toBe(403);
  });

  it('the nightly run over keyset pages decides exactly what the per-customer evaluation decides, writing only changes, and resumes from its cursor', async () => {
    // Only this test's segments run (the first test deleted its own); earlier customers match none.
    await db().deleteFrom('segments').execute();
    const now = Date.now();
    const tag = newId().slice(-6);
    const segments = {
      spenders: await created({
        name: `spenders-${tag}`,
        rules: { totalSpentAtLeast: { amount: '4000', currency: 'USD' } },
      }),
      frequent: await created({ name: `frequent-${tag}`, rules: { ordersAtLeast: 2 } }),
      recent: await created({ name: `recent-${tag}`, rules: { lastOrderWithinDays: 30, ordersAtLeast: 1 } }),
      german: await created({ name: `german-${tag}`, rules: { countries: ['DE'] } }),
      partners: await created({
        name: `partners-${tag}`,
        rules: { registrationSources: ['partner'], ordersAtLeast: 1 },
      }),
    };
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await registered(p.app));
    const german = await verifiedCustomer(p.app);
    const token = (await customerToken(p.app, german)).accessToken;
    const address = await p.app.inject({
      method: 'POST',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(token),
      payload: GERMAN_ADDRESS,
    });
    expect(address.statusCode, address.body).toBe(201);
    const [a, b, c, d, e] = people as [
      typeof german,
      typeof german,
      typeof german,
      typeof german,
      typeof german,
    ];
    await db()
      .updateTable('customers')
      .set({ registration_source: 'partner' })
      .where('id', 'in', [b.id, e.id])
      .execute();
    const events = [
      ...delivered(a.id, '5000', new Date(now - DAY)).events, // spender, recent
      ...delivered(b.id, '1000', new Date(now - 90 * DAY)).events, // partner, frequent, not recent
      ...delivered(b.id, '1000', new Date(now - 60 * DAY)).events,
      ...delivered(c.id, '3999', new Date(now - 2 * DAY)).events, // just below spender, recent
      ...delivered(german.id, '100', new Date(now - 400 * DAY)).events, // german, old
      // d: no orders; e: partner without orders
    ];
    await deliver(p, 'customer', events, PER_TOPIC);
    const expected = {
      spenders: [a.id],
      frequent: [b.id],
      recent: [a.id, c.id].sort(),
      german: [german.id],
      partners: [b.id],
    };
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(segments).map(async ([k, s]) => [k, await members(s.id)])),
      );
    const perCustomer = await snapshot();
    expect(perCustomer).toEqual(expected);
    void d;
    void e;

    // The nightly run from scratch decides the same.
    await db().deleteFrom('segment_members').execute();
    const first = await runNightly();
    expect(first).toMatchObject({ ran: true, status: 'succeeded', items: 6 });
    expect(await snapshot()).toEqual(perCustomer);

    // Only changes are written: members already right keep their row; a wrong one is removed.
    const before = await db()
      .selectFrom('segment_members')
      .selectAll()
      .where('segment_id', '=', segments.recent.id)
      .orderBy('customer_id')
      .execute();
    await db()
      .insertInto('segment_members')
      .values({ segment_id: segments.spenders.id, customer_id: d.id, added_at: new Date() })
      .execute();
    const second = await runNightly();
    expect(second).toMatchObject({ ran: true, status: 'succeeded', items: 1 });
    expect(await snapshot()).toEqual(perCustomer);
    expect(
      await db()
        .selectFrom('segment_members')
        .selectAll()
        .where('segment_id', '=', segments.recent.id)
        .orderBy('customer_id')
        .execute(),
    ).toEqual(before);
    const stamped = await db()
      .selectFrom('segments')
      .select(['last_evaluated_at', 'evaluation_cursor'])
      .execute();
    expect(
      stamped.every(
        (r: { last_evaluated_at: Date | null; evaluation_cursor: string | null }) =>
          r.last_evaluated_at !== null && r.evaluation_cursor === null,
      ),
    ).toBe(true);

    // An interrupted run resumes at its cursor: customers up to it are not looked at again.
    const ids = (await db().selectFrom('customers').select('id').orderBy('id').execute()).map(
      (r: { id: string }) => r.id,
    );
    const cut = ids.indexOf(a.id);
    await db().deleteFrom('segment_members').where('segment_id', '=', segments.recent.id).execute();
    await db()
      .updateTable('segments')
      .set({ evaluation_cursor: a.id })
      .where('id', '=', segments.recent.id)
      .execute();
    await runNightly();
    const resumed = await members(segments.recent.id);
    expect(resumed).toEqual(expected.recent.filter((id) => ids.indexOf(id) > cut));
    // The next run starts over and completes the segment.
    await runNightly();
    expect(await members(segments.recent.id)).toEqual(expected.recent);
  });

  it("re-evaluates one customer when their statistics change, and promotions read the customer's segments", async () => {
    const s = await created({
      name: `spenders-${newId()}`,
      rules: { totalSpentAtLeast: { amount: '4000', currency: 'USD' } },
    });
    const c = await registered(p.app);
    const order = delivered(c.id, '5000', new Date());
    await deliver(p, 'customer', order.events, PER_TOPIC);
    expect(await members(s.id)).toEqual([c.id]);
    expect(await p.orderline.clients.customer!.segmentIdsOf({} as never, c.id)).toContain(s.id);
    await deliver(p, 'customer', [refundEvent(order, '2000', new Date())], PER_TOPIC);
    expect(await members(s.id)).toEqual([]);
    expect(await p.orderline.clients.customer!.segmentIdsOf({} as never, c.id)).not.toContain(s.id);
    expect(await p.orderline.clients.customer!.segmentIdsOf({} as never, 'nope')).toEqual([]);
    await call('DELETE', `/admin/segments/${s.id}`);
  });

  it('two scheduler instances never run the same nightly tick twice (G7, C13)', async () => {
    const module = p.orderline.modules.find((m) => m.name === 'customer')!;
    const job = module.jobs!.find((j) => j.name === 'segment-evaluation')!;
    let runs = 0;
    const counted = {
      ...job,
      handler: async (ctx: Parameters<typeof job.handler>[0]) => {
        runs++;
        return job.handler(ctx);
      },
    };
    const make = () =>
      new Scheduler({
        service: 'customer',
        db: p.orderline.database.forSchema<PlatformTables>('customer'),
        jobs: [counted],
        timezone: 'UTC',
        logger: p.orderline.logger,
        metrics: eventingMetrics(createMetrics({ defaults: false })),
        clock: systemClock,
      });
    const [one, two] = [make(), make()];
    const tick = new Date('2031-01-01T02:30:00Z');
    const outcomes = await Promise.all([
      one.runTick(job.name, tick),
      two.runTick(job.name, tick),
      one.runTick(job.name, tick),
    ]);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ran)).toEqual([
      { ran: false, reason: 'claimed_elsewhere' },
      { ran: false, reason: 'claimed_elsewhere' },
    ]);
    expect(runs).toBe(1);
    const rows = await p.orderline.database
      .forSchema<PlatformTables>('customer')
      .selectFrom('job_runs')
      .selectAll()
      .where('job', '=', job.name)
      .where('tick', '=', tick.toISOString())
      .execute();
    expect(rows).toHaveLength(1);
    await Promise.all([one.stop(), two.stop()]);
  });
});
