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
import { buildEnvelope } from '../outbox/outbox.publisher.js';
import { createDeliveryHandler } from './consumer.runner.js';
import { listDeadLetters } from './dead-letter.store.js';

interface LoyaltyDB {
  points: { customer_id: string; balance: number };
}

const consumer = defineConsumer<'orders.order.status_changed', LoyaltyDB>({
  subscription: 'loyalty.order-status',
  topic: 'orders.order.status_changed',
  handle: async (tx, event) => {
    // Deliberately not naturally idempotent: only the inbox keeps it from double-crediting (G4).
    await tx
      .updateTable('points')
      .set((eb) => ({ balance: eb('balance', '+', 10) }))
      .where('customer_id', '=', event.data.customerId!)
      .execute();
  },
});

const statusChanged = (orderId: string, customerId: string) =>
  buildEnvelope('orders.order.status_changed', orderId, {
    orderId,
    customerId,
    oldStatus: 'shipped',
    newStatus: 'delivered',
    sequence: 4,
    total: { amount: '1999', currency: 'EUR' },
    items: [{ sku: 'MUG-1', quantity: 1 }],
    reason: null,
    occurredAt: new Date().toISOString(),
  });

for (const kind of databaseKinds()) {
  describe(`inbox on ${kind}`, () => {
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await createTestDatabase(
        kind,
        ['loyalty'],
        'CREATE TABLE loyalty.points (customer_id uuid PRIMARY KEY, balance integer NOT NULL);',
      );
    });
    afterAll(async () => tdb?.cleanup());

    const handler = () =>
      createDeliveryHandler({
        service: 'loyalty',
        db: tdb.database.forSchema('loyalty'),
        consumer,
        settings: { retryDelaysMs: [1], redeliveryBaseMs: 10, redeliveryMaxMs: 20, maxDeliveries: 3 },
        logger: testLogger(),
        metrics: eventingMetrics(createMetrics({ defaults: false })),
        clock: systemClock,
      });

    it('applies an event once when many deliveries of it arrive at the same moment (G4)', async () => {
      const customer = crypto.randomUUID();
      const db = tdb.database.forSchema<LoyaltyDB>('loyalty');
      await db.insertInto('points').values({ customer_id: customer, balance: 0 }).execute();
      const envelope = JSON.parse(JSON.stringify(statusChanged(crypto.randomUUID(), customer)));
      const handle = handler();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => handle({ envelope, deliveryCount: 1 })),
      );
      expect(results.every((r) => r.kind === 'ack')).toBe(true);
      const row = await db
        .selectFrom('points')
        .select('balance')
        .where('customer_id', '=', customer)
        .executeTakeFirstOrThrow();
      expect(row.balance).toBe(10);
    });

    it('dead-letters an envelope that is not a CloudEvent at once, without running the handler', async () => {
      const handle = handler();
      expect(await handle({ envelope: 'not json at all', deliveryCount: 1 })).toEqual({ kind: 'ack' });
      const letters = await listDeadLetters(tdb.database.forSchema('loyalty'), 'loyalty', {
        limit: 10,
        status: 'open',
      });
      expect(
        letters.some((l) => l.error.startsWith('invalid envelope') && l.envelope === 'not json at all'),
      ).toBe(true);
    });

    it('asks for a redelivery with a delay before the last delivery, and dead-letters at the last one', async () => {
      const envelope = statusChanged(crypto.randomUUID(), crypto.randomUUID());
      const failing = createDeliveryHandler({
        service: 'loyalty',
        db: tdb.database.forSchema('loyalty'),
        consumer: { ...consumer, handle: async () => Promise.reject(new Error('points ledger locked')) },
        settings: { retryDelaysMs: [1], redeliveryBaseMs: 10, redeliveryMaxMs: 20, maxDeliveries: 2 },
        logger: testLogger(),
        metrics: eventingMetrics(createMetrics({ defaults: false })),
        clock: systemClock,
      });
      const first = await failing({ envelope, deliveryCount: 1 });
      expect(first.kind).toBe('retry');
      expect(first.kind === 'retry' && first.delayMs).toBeGreaterThan(0);
      expect(await failing({ envelope, deliveryCount: 2 })).toEqual({ kind: 'ack' });
      const letters = await listDeadLetters(tdb.database.forSchema('loyalty'), 'loyalty', { limit: 50 });
      const letter = letters.find((l) => l.eventId === envelope.id)!;
      expect(letter).toMatchObject({ attempts: 4, error: 'points ledger locked', status: 'open' });
      expect(letter.firstFailedAt.getTime()).toBeLessThanOrEqual(letter.lastFailedAt.getTime());
    });
  });
}
