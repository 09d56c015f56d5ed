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
import { createMetrics } from '../observability/metrics.js';
import { createBatchHandler, createDeliveryHandler } from './consumer.runner.js';
import { orderStatusEnvelope } from './inbox.fixtures.js';

interface FollowDB {
  made: { order_id: string };
}

const created = (orderId: string) => orderStatusEnvelope(orderId);

/**
 * `ctx.afterCommit`: a follow-up (a kick that reads what the handler wrote) runs only once the
 * event's transaction committed — after the whole batch's commit when events come in a batch — and
 * never for a transaction that rolled back.
 */
for (const kind of databaseKinds()) {
  describe(`after-commit follow-ups on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await createTestDatabase(
        kind,
        ['follow'],
        'CREATE TABLE follow.made (order_id text PRIMARY KEY);',
      );
    });
    afterAll(async () => tdb?.cleanup());

    /** A consumer that writes a row and, after commit, checks the row is visible outside its tx. */
    const world = (failOnce: Set<string> = new Set()) => {
      const db = tdb.database.forSchema<FollowDB>('follow');
      const seen: { orderId: string; visible: Promise<boolean> }[] = [];
      const consumer = defineConsumer<'orders.order.status_changed', FollowDB>({
        subscription: 'follow.order-status',
        topic: 'orders.order.status_changed',
        async handle(tx, event, ctx) {
          const { orderId } = event.data;
          await tx.insertInto('made').values({ order_id: orderId }).execute();
          ctx.afterCommit(() => {
            const visible = db
              .selectFrom('made')
              .select('order_id')
              .where('order_id', '=', orderId)
              .executeTakeFirst()
              .then((r) => r !== undefined);
            seen.push({ orderId, visible });
          });
          if (failOnce.delete(orderId)) throw new Error(`first try of ${orderId} fails`);
        },
      });
      const deps = {
        service: 'follow',
        db,
        consumer,
        settings: { retryDelaysMs: [1], redeliveryBaseMs: 10, redeliveryMaxMs: 20, maxDeliveries: 3 },
        logger: testLogger(),
        metrics: eventingMetrics(createMetrics({ defaults: false })),
        clock: systemClock,
      };
      return { seen, one: createDeliveryHandler(deps), batch: createBatchHandler(deps) };
    };

    it('runs a follow-up after its event committed, seeing what the handler wrote', async () => {
      const w = world();
      const orderId = crypto.randomUUID();
      expect(await w.one({ envelope: created(orderId), deliveryCount: 1 })).toEqual({ kind: 'ack' });
      expect(w.seen.map((s) => s.orderId)).toEqual([orderId]);
      expect(await w.seen[0]!.visible).toBe(true);
    });

    it('drops the follow-up of a try that rolled back; the retry that commits runs its own once', async () => {
      const orderId = crypto.randomUUID();
      const w = world(new Set([orderId]));
      expect(await w.one({ envelope: created(orderId), deliveryCount: 1 })).toEqual({ kind: 'ack' });
      expect(w.seen.map((s) => s.orderId)).toEqual([orderId]);
      expect(await w.seen[0]!.visible).toBe(true);
    });

    it('in a batch, runs every follow-up after the batch commit; a failed batch runs only the per-event ones', async () => {
      const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      const ok = world();
      const dispositions = await ok.batch(ids.map((id) => ({ envelope: created(id), deliveryCount: 1 })));
      expect(dispositions).toEqual(ids.map(() => ({ kind: 'ack' })));
      expect(ok.seen.map((s) => s.orderId)).toEqual(ids);
      expect(await Promise.all(ok.seen.map((s) => s.visible))).toEqual([true, true, true]);

      const more = [crypto.randomUUID(), crypto.randomUUID()];
      const failing = world(new Set([more[1]!]));
      await failing.batch(more.map((id) => ({ envelope: created(id), deliveryCount: 1 })));
      // The batch rolled back (its two follow-ups dropped); the per-event path committed each once.
      expect(failing.seen.map((s) => s.orderId)).toEqual(more);
      expect(await Promise.all(failing.seen.map((s) => s.visible))).toEqual([true, true]);
    });
  });
}
