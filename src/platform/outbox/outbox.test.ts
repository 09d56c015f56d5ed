import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import {
  createTestDatabase,
  databaseKinds,
  productCreated,
  type TestDatabase,
  testLogger,
} from '../eventing/eventing.fixtures.js';
import { eventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { createMetrics } from '../observability/metrics.js';
import { publish, transaction } from './outbox.publisher.js';
import { OutboxRelay, type RelaySettings } from './outbox.relay.js';
import { createOutboxStore } from './outbox.store.js';

const settings: RelaySettings = {
  batchSize: 50,
  pollMinMs: 5,
  pollMaxMs: 50,
  leaseMs: 1000,
  publishTimeoutMs: 500,
  retentionMs: 7 * 86_400_000,
  retry: { maxAttempts: 3, baseMs: 1, maxMs: 2 },
};

for (const kind of databaseKinds()) {
  describe(`outbox on ${kind}`, () => {
    let tdb: TestDatabase;
    let db: Kysely<PlatformTables>;
    beforeAll(async () => {
      tdb = await createTestDatabase(kind, ['catalog']);
      db = tdb.database.forSchema<PlatformTables>('catalog');
    });
    afterAll(async () => tdb?.cleanup());

    it('only accepts a transaction, and an unknown topic or bad payload fails the transaction', async () => {
      const id = crypto.randomUUID();
      // @ts-expect-error — a Kysely that is not a Transaction is refused by the type (conventions §6)…
      await expect(publish(db, 'catalog.product.created', id, productCreated(id))).rejects.toThrow(
        /inside a transaction/,
      );
      await expect(
        transaction(db, (tx) =>
          tx.publish('no.such.topic' as 'catalog.product.created', id, productCreated(id)),
        ),
      ).rejects.toMatchObject({ code: 'event_contract_violation' });
      await expect(
        transaction(db, async (tx) => {
          await tx.publish('catalog.product.created', id, productCreated(id));
          await tx.publish('catalog.product.created', id, {
            ...productCreated(id),
            status: 'sold' as 'active',
          });
        }),
      ).rejects.toMatchObject({ code: 'event_contract_violation' });
      expect(await db.selectFrom('outbox').selectAll().where('key', '=', id).execute()).toHaveLength(0);
    });

    it('holds back a later row of a key while an earlier one waits for a retry (per-key order)', async () => {
      const store = createOutboxStore(db);
      const a = crypto.randomUUID();
      const b = crypto.randomUUID();
      await transaction(db, async (tx) => {
        await tx.publish('catalog.product.created', a, productCreated(a));
        await tx.publish('catalog.product.updated', a, {
          ...productCreated(a),
          changedFields: [],
          version: 2,
        });
        await tx.publish('catalog.product.created', b, productCreated(b));
      });
      const first = await store.claim(1, 1000, new Date());
      expect(first.map((r) => r.key)).toEqual([a]);
      // The first row of `a` is leased by "another relay": the second row of `a` must wait, `b` may go.
      const rest = await store.claim(50, 1000, new Date());
      expect(rest.filter((r) => r.key === a || r.key === b).map((r) => r.key)).toEqual([b]);
      await store.markFailed([first[0]!.id], 'broker down', new Date(), {
        maxAttempts: 5,
        baseMs: 60_000,
        maxMs: 60_000,
      });
      const whileBackingOff = await store.claim(50, 1000, new Date());
      expect(whileBackingOff.filter((r) => r.key === a)).toEqual([]);
      await store.markPublished([...rest.map((r) => r.id)], new Date());
    });

    it('retries failed publishes with backoff, then marks the row failed, counts and logs it (U-W2)', async () => {
      const metrics = eventingMetrics(createMetrics({ defaults: false }));
      const store = createOutboxStore(db);
      await store.requeueFailed();
      await db
        .updateTable('outbox')
        .set({ status: 'published', published_at: new Date() })
        .where('status', '<>', 'published')
        .execute();
      const relay = new OutboxRelay({
        service: 'catalog',
        store,
        bus: { publish: async (envelopes) => envelopes.map(() => new Error('broker refused')) },
        logger: testLogger(),
        metrics,
        clock: systemClock,
        settings,
      });
      const id = crypto.randomUUID();
      await transaction(db, (tx) => tx.publish('catalog.product.created', id, productCreated(id)));
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 10)); // let the (2 ms max) backoff pass
        expect(await relay.runOnce()).toBe(1);
      }
      const row = await db.selectFrom('outbox').selectAll().where('key', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'failed', attempts: 3, last_error: 'broker refused' });
      expect((await metrics.outboxExhausted.get()).values[0]?.value).toBe(1);
      expect((await metrics.outboxPublishFailures.get()).values[0]?.value).toBe(3);
      expect(await relay.runOnce()).toBe(0);
      expect(await store.requeueFailed([row.id])).toBe(1);
      expect((await store.stats()).pending).toBeGreaterThanOrEqual(1);
    });

    it('purges published rows older than the retention only', async () => {
      const store = createOutboxStore(db);
      const id = crypto.randomUUID();
      await transaction(db, (tx) => tx.publish('catalog.product.created', id, productCreated(id)));
      await db
        .updateTable('outbox')
        .set({ status: 'published', published_at: new Date(Date.now() - 8 * 86_400_000) })
        .where('key', '=', id)
        .execute();
      const fresh = crypto.randomUUID();
      await transaction(db, (tx) => tx.publish('catalog.product.created', fresh, productCreated(fresh)));
      await db
        .updateTable('outbox')
        .set({ status: 'published', published_at: new Date() })
        .where('key', '=', fresh)
        .execute();
      expect(await store.purgePublished(new Date(Date.now() - 7 * 86_400_000))).toBe(1);
      expect(await db.selectFrom('outbox').select('key').where('key', 'in', [id, fresh]).execute()).toEqual([
        { key: fresh },
      ]);
    });
  });
}
