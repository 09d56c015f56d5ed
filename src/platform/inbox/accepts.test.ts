import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { defineConsumer } from '../eventing/declarations.js';
import {
  createTestDatabase,
  databaseKinds,
  type TestDatabase,
  testLogger,
} from '../eventing/eventing.fixtures.js';
import { eventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { createMetrics } from '../observability/metrics.js';
import { createBatchHandler, createDeliveryHandler } from './consumer.runner.js';
import { orderStatusEnvelope } from './inbox.fixtures.js';

interface SeenDB {
  seen: { event_id: string; status: string };
}

const statusEvent = (newStatus: 'confirmed' | 'cancelled' | 'shipped') =>
  orderStatusEnvelope(crypto.randomUUID(), newStatus);

/**
 * `accepts`: an event the consumer says it would do nothing with is acked without a transaction
 * and without an inbox row (skipped, also when redelivered); accepted ones are handled through the
 * inbox as always, alone or in a batch beside skipped ones.
 */
for (const kind of databaseKinds()) {
  describe(`consumer accepts on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await createTestDatabase(
        kind,
        ['seen'],
        'CREATE TABLE seen.seen (event_id text PRIMARY KEY, status text NOT NULL);',
      );
    });
    afterAll(async () => tdb?.cleanup());

    const world = () => {
      const db = tdb.database.forSchema<SeenDB & PlatformTables>('seen');
      const metrics = createMetrics({ defaults: false });
      const consumer = defineConsumer<'orders.order.status_changed', SeenDB>({
        subscription: 'seen.cancelled',
        topic: 'orders.order.status_changed',
        accepts: (event) => event.data.newStatus === 'cancelled',
        async handle(tx, event) {
          await tx.insertInto('seen').values({ event_id: event.id, status: event.data.newStatus }).execute();
        },
      });
      const deps = {
        service: 'seen',
        db,
        consumer,
        settings: { retryDelaysMs: [1], redeliveryBaseMs: 10, redeliveryMaxMs: 20, maxDeliveries: 3 },
        logger: testLogger(),
        metrics: eventingMetrics(metrics),
        clock: systemClock,
      };
      const inboxRows = async (ids: string[]) =>
        (
          await db
            .selectFrom('processed_events')
            .select('event_id')
            .where('subscription', '=', 'seen.cancelled')
            .where('event_id', 'in', ids)
            .execute()
        ).map((r) => r.event_id);
      const handled = async (ids: string[]) =>
        (await db.selectFrom('seen').select('event_id').where('event_id', 'in', ids).execute()).map(
          (r) => r.event_id,
        );
      const skipped = async () =>
        (await metrics.registry.getSingleMetric('orderline_consumer_deliveries_total')?.get())?.values.find(
          (v) => v.labels.outcome === 'skipped',
        )?.value ?? 0;
      return {
        one: createDeliveryHandler(deps),
        batch: createBatchHandler(deps),
        inboxRows,
        handled,
        skipped,
      };
    };

    it('acks a refused event without handling it or recording it, also when redelivered', async () => {
      const w = world();
      const confirmed = statusEvent('confirmed');
      expect(await w.one({ envelope: confirmed, deliveryCount: 1 })).toEqual({ kind: 'ack' });
      expect(await w.one({ envelope: confirmed, deliveryCount: 2 })).toEqual({ kind: 'ack' });
      expect(await w.handled([confirmed.id])).toEqual([]);
      expect(await w.inboxRows([confirmed.id])).toEqual([]);
      expect(await w.skipped()).toBe(2);
    });

    it('handles an accepted event once through the inbox', async () => {
      const w = world();
      const cancelled = statusEvent('cancelled');
      await w.one({ envelope: cancelled, deliveryCount: 1 });
      await w.one({ envelope: cancelled, deliveryCount: 2 });
      expect(await w.handled([cancelled.id])).toEqual([cancelled.id]);
      expect(await w.inboxRows([cancelled.id])).toEqual([cancelled.id]);
      expect(await w.skipped()).toBe(0);
    });

    it('in a batch, handles the accepted events and acks the refused ones', async () => {
      const w = world();
      const events = (['confirmed', 'cancelled', 'shipped', 'cancelled'] as const).map(statusEvent);
      const ids = events.map((e) => e.id as string);
      const dispositions = await w.batch(events.map((envelope) => ({ envelope, deliveryCount: 1 })));
      expect(dispositions).toEqual(events.map(() => ({ kind: 'ack' })));
      const accepted = [ids[1]!, ids[3]!].sort();
      expect((await w.handled(ids)).sort()).toEqual(accepted);
      expect((await w.inboxRows(ids)).sort()).toEqual(accepted);
      expect(await w.skipped()).toBe(2);
    });
  });
}
