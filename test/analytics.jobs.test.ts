import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { ANALYTICS_ENV, envelope, publish } from './analytics.fixtures.js';
import { bearer, loginAs, startTestPlatform, type TestPlatform } from './harness.js';

const usd = (amount: string) => ({ amount, currency: 'USD' });

describe('analytics jobs', () => {
  let platform: TestPlatform;
  let admin: Record<string, string>;
  const root = () => platform.orderline.database.root;
  const run = async (job: string) =>
    expect(await platform.orderline.eventing.scheduler('analytics')!.runNow(job)).toMatchObject({
      ran: true,
      status: 'succeeded',
    });
  const buckets = async () =>
    (
      await sql<{
        granularity: string;
        bucket_start: Date;
        metric: string;
        dimension: string;
        currency: string;
        value: string;
      }>`
        SELECT granularity, bucket_start, metric, dimension, currency, value::text AS value
        FROM analytics.metric_buckets ORDER BY 1, 2, 3, 4, 5`.execute(root())
    ).rows;
  const captured = (amount: string, occurredAt: Date) => {
    const orderId = newId();
    return envelope('payments.payment.confirmed', orderId, {
      orderId,
      paymentId: newId(),
      amount: usd(amount),
      method: 'card',
      occurredAt: occurredAt.toISOString(),
    });
  };
  const storedCount = async () =>
    (
      await sql<{
        n: number;
      }>`SELECT COUNT(*)::int AS n FROM analytics.events WHERE topic = 'payments.payment.confirmed'`.execute(
        root(),
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    platform = await startTestPlatform('pglite', {
      services: ['user', 'auth', 'analytics'],
      env: ANALYTICS_ENV,
    });
    admin = bearer((await loginAs(platform.app)).accessToken);
  });
  afterAll(() => platform?.close());

  it('aggregates run twice give the same rows, and the figures follow the data (G7, SG-19)', async () => {
    await publish(platform, [captured('1234', new Date()), captured('66', new Date())]);
    await waitFor(async () => (await storedCount()) === 2, 'two payments stored');
    await run('aggregate-hourly');
    await run('aggregate-daily');
    const first = await buckets();
    const net = first.filter((b) => b.metric === 'revenue_net');
    expect(net.map((b) => [b.granularity, b.currency, b.value])).toEqual([
      ['day', 'USD', '1300'],
      ['hour', 'USD', '1300'],
    ]);
    await run('aggregate-hourly');
    await run('aggregate-daily');
    expect(await buckets()).toEqual(first);

    await publish(platform, [captured('700', new Date())]);
    await waitFor(async () => (await storedCount()) === 3, 'a third payment');
    await run('aggregate-daily');
    const day = (await buckets()).find((b) => b.granularity === 'day' && b.metric === 'revenue_net');
    expect(day?.value).toBe('2000');
    const revenue = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/analytics/revenue',
      headers: admin,
    });
    expect(revenue.json().daily).toEqual([
      { bucketStart: day!.bucket_start.toISOString(), net: usd('2000') },
    ]);
  });

  it('retention keeps monthly partitions ahead and drops only data past the retention', async () => {
    const partitions = async () =>
      (
        await sql<{ name: string }>`
          SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace
          WHERE n.nspname = 'analytics' AND p.relname = 'events' ORDER BY 1`.execute(root())
      ).rows.map((r) => r.name);
    const now = new Date();
    const month = (k: number) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1));
      return `events_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    expect(await partitions()).toEqual(
      expect.arrayContaining([month(0), month(1), month(2), 'events_default']),
    );
    // An old month partition with a row, and an old row in the default partition.
    await sql`CREATE TABLE analytics.events_2020_01 PARTITION OF analytics.events
      FOR VALUES FROM ('2020-01-01T00:00:00Z') TO ('2020-02-01T00:00:00Z')`.execute(root());
    const before = await storedCount();
    await publish(platform, [
      captured('1', new Date('2020-01-15T00:00:00Z')),
      captured('2', new Date(Date.now() - 200 * 86_400_000)),
      captured('3', new Date(Date.now() - 10 * 86_400_000)),
    ]);
    await waitFor(async () => (await storedCount()) === before + 3, 'old events stored');
    await run('retention');
    expect(await partitions()).not.toContain('events_2020_01');
    expect(await partitions()).toContain(month(0));
    expect(await storedCount()).toBe(before + 1);
  });
});
