import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../clock.js';
import type { JobDeclaration } from '../eventing/declarations.js';
import {
  createTestDatabase,
  databaseKinds,
  type TestDatabase,
  testLogger,
  waitFor,
} from '../eventing/eventing.fixtures.js';
import { eventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { createMetrics } from '../observability/metrics.js';
import { Scheduler } from './scheduler.js';

for (const kind of databaseKinds()) {
  describe(`scheduler on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await createTestDatabase(kind, ['order']);
    });
    afterAll(async () => tdb?.cleanup());

    const make = (jobs: JobDeclaration[], clock = systemClock) =>
      new Scheduler({
        service: 'order',
        db: tdb.database.forSchema<PlatformTables>('order'),
        jobs,
        timezone: 'Europe/Berlin',
        logger: testLogger(),
        metrics: eventingMetrics(createMetrics({ defaults: false })),
        clock,
      });

    it('runs a tick once when two instances claim it at the same moment (G7)', async () => {
      let runs = 0;
      const job: JobDeclaration = {
        name: 'cleanup-same-tick',
        cron: '0 3 * * *',
        handler: async () => {
          runs += 1;
          return { items: 2 };
        },
      };
      const [a, b] = [make([job]), make([job])];
      const tick = new Date('2030-01-01T02:00:00Z');
      const outcomes = await Promise.all([
        a.runTick(job.name, tick),
        b.runTick(job.name, tick),
        a.runTick(job.name, tick),
      ]);
      expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
      expect(runs).toBe(1);
      const rows = await tdb.database
        .forSchema<PlatformTables>('order')
        .selectFrom('job_runs')
        .selectAll()
        .where('job', '=', job.name)
        .execute();
      expect(rows).toEqual([
        expect.objectContaining({ tick: tick.toISOString(), status: 'succeeded', items: 2, error: null }),
      ]);
    });

    it('two running instances on the wall-clock cron run each tick once', async () => {
      const perTick = new Map<string, number>();
      const job: JobDeclaration = {
        name: 'every-second',
        cron: '* * * * * *',
        handler: async ({ tick }) => {
          perTick.set(tick.toISOString(), (perTick.get(tick.toISOString()) ?? 0) + 1);
        },
      };
      const [a, b] = [make([job]), make([job])];
      a.start();
      b.start();
      try {
        await waitFor(() => perTick.size >= 2, 'two ticks ran', 5000);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
      expect([...perTick.values()].every((n) => n === 1)).toBe(true);
      for (const tick of perTick.keys()) expect(new Date(tick).getMilliseconds()).toBe(0);
    });

    it('records a failed run with its error and fails readiness when the last success is too old', async () => {
      const clock = new ManualClock(new Date());
      let fail = true;
      const job: JobDeclaration = {
        name: 'stale-check',
        cron: '*/5 * * * *',
        maxStalenessSeconds: 60,
        handler: async () => {
          if (fail) throw new Error('carrier API down');
          return 5;
        },
      };
      const s = make([job], clock);
      expect(await s.readiness()).toBeUndefined();
      expect(await s.runNow(job.name)).toMatchObject({ ran: true, status: 'failed' });
      clock.advance(61_000);
      expect(await s.readiness()).toBe('stale jobs: order/stale-check');
      fail = false;
      expect(await s.runNow(job.name)).toMatchObject({ ran: true, status: 'succeeded', items: 5 });
      expect(await s.readiness()).toBeUndefined();
      const [status] = await s.status();
      expect(status).toMatchObject({ job: 'stale-check', lastRun: { status: 'succeeded', items: 5 } });
      const failed = await tdb.database
        .forSchema<PlatformTables>('order')
        .selectFrom('job_runs')
        .select('error')
        .where('job', '=', job.name)
        .where('status', '=', 'failed')
        .execute();
      expect(failed).toEqual([{ error: 'carrier API down' }]);
    });

    it('refuses an invalid cron expression at construction', () => {
      expect(() => make([{ name: 'bad', cron: 'every day', handler: async () => 0 }])).toThrow();
    });
  });
}
