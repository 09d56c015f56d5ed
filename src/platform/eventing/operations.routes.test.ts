import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../bus/memory.bus.js';
import { systemClock } from '../clock.js';
import { buildHttpApp } from '../http/app.js';
import type { HttpApp } from '../http/types.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { recordFailedCompensation } from '../saga/compensation.store.js';
import { recordStep, sagaSteps } from '../saga/saga.log.js';
import {
  createTestDatabase,
  type TestDatabase,
  testConfig,
  testLogger,
  waitFor,
} from './eventing.fixtures.js';
import { createEventing, type Eventing } from './eventing.js';

describe('operations routes, compensations and saga log', () => {
  let tdb: TestDatabase;
  let eventing: Eventing;
  let app: HttpApp;
  let metrics: Metrics;
  const voided: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase('pglite', ['payment']);
    metrics = createMetrics({ defaults: false });
    eventing = createEventing({
      database: tdb.database,
      config: testConfig({
        COMPENSATION_MAX_ATTEMPTS: '2',
        COMPENSATION_RETRY_BASE_MS: '1',
        COMPENSATION_RETRY_MAX_MS: '1',
      }),
      logger: testLogger(),
      metrics,
      clock: systemClock,
      role: 'all',
      bus: createMemoryBus(),
      modules: [
        {
          name: 'payment',
          compensations: {
            'payment.void': async (payload) => {
              const { paymentId } = payload as { paymentId: string };
              if (paymentId === 'broken') throw new Error('provider rejected the void');
              voided.push(paymentId);
            },
          },
        },
      ],
    });
    await eventing.start();
    app = await buildHttpApp({ logger: testLogger(), metrics, bodyLimit: 1024 * 1024, docs: false });
    const { registerOperationsRoutes } = await import('./operations.routes.js');
    registerOperationsRoutes(app, { operations: eventing.operations });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await eventing?.stop();
    await tdb?.cleanup();
  });

  it('persists saga steps by saga and step', async () => {
    const db = tdb.database.forSchema('payment');
    await recordStep(db, { sagaType: 'checkout', sagaId: 'c1', step: 'authorize', status: 'started' });
    await recordStep(db, {
      sagaType: 'checkout',
      sagaId: 'c1',
      step: 'authorize',
      status: 'completed',
      result: { authId: 'a1' },
    });
    expect(await sagaSteps(db, 'checkout', 'c1')).toEqual([
      expect.objectContaining({
        step: 'authorize',
        status: 'completed',
        idempotencyKey: 'checkout:c1:authorize',
        result: { authId: 'a1' },
      }),
    ]);
  });

  it('retries failed compensations, resolves what succeeds and marks exhausted ones with an alert metric (G5)', async () => {
    const db = tdb.database.forSchema('payment');
    const policy = { baseMs: 1, maxMs: 1 };
    await recordFailedCompensation(
      db,
      {
        sagaType: 'checkout',
        sagaId: 'c2',
        step: 'authorize',
        action: 'payment.void',
        payload: { paymentId: 'p2' },
        error: new Error('timeout'),
      },
      policy,
    );
    await recordFailedCompensation(
      db,
      {
        sagaType: 'checkout',
        sagaId: 'c3',
        step: 'authorize',
        action: 'payment.void',
        payload: { paymentId: 'broken' },
        error: new Error('timeout'),
      },
      policy,
    );
    await new Promise((r) => setTimeout(r, 5)); // past the 1 ms backoff
    const scheduler = eventing.scheduler('payment')!;
    expect(await scheduler.runNow('platform.compensation-retry')).toMatchObject({
      ran: true,
      status: 'succeeded',
      items: 2,
    });
    expect(voided).toEqual(['p2']);
    const res = await app.inject({ method: 'GET', url: '/admin/compensations?service=payment' });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as {
      sagaId: string;
      status: string;
      attempts: number;
      lastError: string;
    }[];
    expect(items.find((i) => i.sagaId === 'c2')).toMatchObject({ status: 'resolved', attempts: 2 });
    expect(items.find((i) => i.sagaId === 'c3')).toMatchObject({
      status: 'exhausted',
      attempts: 2,
      lastError: 'provider rejected the void',
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('orderline_compensations_exhausted_total{service="payment"} 1');
    expect(text).toContain('orderline_failed_compensations{service="payment",status="exhausted"} 1');
  });

  it('lists jobs with their last run', async () => {
    await waitFor(
      async () => (await eventing.operations.listJobs({ service: 'payment' })).some((j) => j.lastRun),
      'a recorded run',
    );
    const res = await app.inject({ method: 'GET', url: '/admin/jobs' });
    expect(res.statusCode).toBe(200);
    const jobs = res.json().items as { job: string; lastRun: { status: string } | null }[];
    expect(jobs.map((j) => j.job).sort()).toEqual(['platform.compensation-retry', 'platform.housekeeping']);
    expect(jobs.find((j) => j.job === 'platform.compensation-retry')?.lastRun?.status).toBe('succeeded');
  });

  it('answers unknown dead letters and services with problem+json 404 and bad ids with 400', async () => {
    const missing = await app.inject({ method: 'POST', url: `/admin/dlq/${crypto.randomUUID()}/replay` });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ method: 'GET', url: '/admin/dlq?service=nosuch' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/admin/dlq/not-a-uuid/discard' })).statusCode).toBe(400);
    const list = await app.inject({ method: 'GET', url: '/admin/dlq' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [] });
  });
});
