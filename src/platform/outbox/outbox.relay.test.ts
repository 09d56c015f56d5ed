import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contracts/index.js';
import { systemClock } from '../clock.js';
import {
  createTestDatabase,
  productCreated,
  type TestDatabase,
  testLogger,
  waitFor,
} from '../eventing/eventing.fixtures.js';
import { eventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { createMetrics } from '../observability/metrics.js';
import { transaction } from './outbox.publisher.js';
import { OutboxRelay } from './outbox.relay.js';
import { createOutboxStore, type OutboxStore } from './outbox.store.js';

/** When the relay reads the next retry time: only when it may have changed, never after a clean cycle. */
describe('outbox relay: next-due reads', () => {
  let tdb: TestDatabase;
  let db: Kysely<PlatformTables>;
  beforeAll(async () => {
    tdb = await createTestDatabase('pglite', ['catalog']);
    db = tdb.database.forSchema<PlatformTables>('catalog');
  });
  afterAll(async () => tdb?.cleanup());

  /** The real store, with a log of the relay's claims (rows claimed) and next-due reads. */
  const tracedStore = (ops: string[]): OutboxStore => {
    const store = createOutboxStore(db);
    return {
      ...store,
      claim: async (...args) => {
        const rows = await store.claim(...args);
        ops.push(`claim:${rows.length}`);
        return rows;
      },
      nextDueAt: async () => {
        const due = await store.nextDueAt();
        ops.push('due');
        return due;
      },
    };
  };
  const published = async (key: string) =>
    (await db.selectFrom('outbox').select('status').where('key', '=', key).executeTakeFirstOrThrow())
      .status === 'published';

  it('publishes woken rows without reading the next due time, and still retries a failure on time', async () => {
    const ops: string[] = [];
    const failing = new Set<string>();
    const seen = new Map<string, number>();
    const relay = new OutboxRelay({
      service: 'catalog',
      store: tracedStore(ops),
      // Fails the first publish of a key in `failing`.
      bus: {
        publish: async (envelopes: EventEnvelope[]) =>
          envelopes.map((e) => {
            const n = (seen.get(e.subject) ?? 0) + 1;
            seen.set(e.subject, n);
            return failing.has(e.subject) && n === 1 ? new Error('broker refused') : undefined;
          }),
      },
      logger: testLogger(),
      metrics: eventingMetrics(createMetrics({ defaults: false })),
      clock: systemClock,
      // A retry after 200 ms; idle polls so rare (60 s) that only a known due time brings it back.
      settings: {
        batchSize: 50,
        pollMinMs: 5,
        pollMaxMs: 60_000,
        leaseMs: 1000,
        publishTimeoutMs: 500,
        retentionMs: 86_400_000,
        retry: { maxAttempts: 5, baseMs: 200, maxMs: 200 },
      },
    });
    relay.start();
    try {
      // Its start-up poll (nothing claimed, the due time read) is over before the first commit.
      await waitFor(async () => ops.includes('due'), 'the start-up poll', 5000);
      const keys = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      for (const key of keys) {
        await transaction(db, (tx) => tx.publish('catalog.product.created', key, productCreated(key)));
        await waitFor(() => published(key), `row ${key} published`, 5000);
      }
      // After each clean cycle that claimed rows, the relay went to sleep without a due-time read.
      const clean = ops.map((op, i) =>
        op.startsWith('claim:') && op !== 'claim:0' ? ops[i + 1] : undefined,
      );
      expect(
        clean.filter((next) => next === 'due'),
        ops.join(' '),
      ).toEqual([]);

      // A failed publish is read back (its retry time), and a later wake does not make it wait for
      // the 60 s idle poll.
      const flaky = crypto.randomUUID();
      failing.add(flaky);
      await transaction(db, (tx) => tx.publish('catalog.product.created', flaky, productCreated(flaky)));
      await waitFor(async () => seen.get(flaky) === 1, 'first (failed) publish', 5000);
      const other = crypto.randomUUID();
      await transaction(db, (tx) => tx.publish('catalog.product.created', other, productCreated(other)));
      await waitFor(() => published(other), 'the other row published', 5000);
      await waitFor(() => published(flaky), 'the failed row retried and published', 5000);
      expect(seen.get(flaky)).toBe(2);
    } finally {
      await relay.stop();
    }
  });
});
