import type { Generated, Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contracts/index.js';
import { systemClock } from '../clock.js';
import { defineConsumer } from '../eventing/declarations.js';
import {
  createTestDatabase,
  databaseKinds,
  productCreated,
  type TestDatabase,
  testConfig,
  testLogger,
  waitFor,
} from '../eventing/eventing.fixtures.js';
import { createEventing, type Eventing } from '../eventing/eventing.js';
import { eventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { createBatchHandler } from '../inbox/consumer.runner.js';
import { processOnce } from '../inbox/inbox.js';
import { createMetrics } from '../observability/metrics.js';
import { buildEnvelope, transaction } from '../outbox/outbox.publisher.js';
import type { OutboxStore } from '../outbox/outbox.store.js';
import type { BatchHandler, EventBus } from './bus.types.js';

/**
 * The required scenarios (issue 3), run for every adapter on every database kind: each adapter
 * test file passes a factory for a fresh, isolated bus (its own stream/prefix) per test.
 */
export interface BusHarness {
  bus: EventBus;
  /** Takes the broker away from the client and brings it back (proxy or fault port). */
  down(): void;
  up(): void;
  cleanup(): Promise<void>;
}

const WAREHOUSE_SQL = `
CREATE TABLE warehouse.applications (event_id uuid NOT NULL, product_id uuid NOT NULL, name text NOT NULL);
CREATE TABLE warehouse.products (product_id uuid PRIMARY KEY, name text NOT NULL, version integer NOT NULL);
CREATE TABLE warehouse.update_log (seq bigint GENERATED ALWAYS AS IDENTITY, product_id uuid NOT NULL, version integer NOT NULL);
CREATE TABLE catalog.products (product_id uuid PRIMARY KEY, name text NOT NULL);`;

interface WarehouseDB extends PlatformTables {
  applications: { event_id: string; product_id: string; name: string };
  products: { product_id: string; name: string; version: number };
  update_log: { seq: Generated<bigint>; product_id: string; version: number };
}

interface CatalogDB extends PlatformTables {
  products: { product_id: string; name: string };
}

/** Products whose handler throws until they are removed from this set (the "fix"). */
const failing = new Set<string>();

const created = defineConsumer<'catalog.product.created', WarehouseDB>({
  subscription: 'warehouse.product-created',
  topic: 'catalog.product.created',
  handle: async (tx, event) => {
    if (failing.has(event.data.productId))
      throw new Error(`stock rows for ${event.data.productId} cannot be opened`);
    await tx
      .insertInto('applications')
      .values({ event_id: event.id, product_id: event.data.productId, name: event.data.name })
      .execute();
  },
});

const updated = defineConsumer<'catalog.product.updated', WarehouseDB>({
  subscription: 'warehouse.product-updated',
  topic: 'catalog.product.updated',
  handle: async (tx, event) => {
    const { productId, name, version } = event.data;
    await tx.insertInto('update_log').values({ product_id: productId, version }).execute();
    // G6: only a newer version moves the state; stale or repeated events change nothing.
    await tx
      .insertInto('products')
      .values({ product_id: productId, name, version })
      .onConflict((oc) =>
        oc.column('product_id').doUpdateSet({ name, version }).where('products.version', '<', version),
      )
      .execute();
  },
});

export function describeBusScenarios(
  adapter: string,
  makeHarness: () => Promise<BusHarness>,
  skip = false,
): void {
  for (const kind of databaseKinds()) {
    describe.skipIf(skip)(`${adapter} bus on ${kind}`, () => {
      let tdb: TestDatabase;
      let harness: BusHarness | undefined;
      let eventing: Eventing | undefined;
      let wh: Kysely<WarehouseDB>;
      let catalog: Kysely<CatalogDB>;

      beforeAll(async () => {
        tdb = await createTestDatabase(kind, ['catalog', 'warehouse'], WAREHOUSE_SQL);
        wh = tdb.database.forSchema<WarehouseDB>('warehouse');
        catalog = tdb.database.forSchema<CatalogDB>('catalog');
      });
      afterAll(async () => tdb?.cleanup());
      afterEach(async () => {
        await eventing?.stop();
        await harness?.cleanup();
        eventing = undefined;
        harness = undefined;
        failing.clear();
      });

      const start = async (
        options: {
          wrapOutboxStore?: (s: string, store: OutboxStore) => OutboxStore;
          bus?: EventBus;
          /** Wraps every batch handler the consumers subscribe with (observe batches, inject faults). */
          wrapBatch?: (handler: BatchHandler) => BatchHandler;
          /**
           * Published straight to the bus so they arrive together: before the consumers subscribe on a
           * broker (the group reads them from the start), after it on the in-process bus.
           */
          prepublish?: EventEnvelope[];
        } = {},
      ) => {
        harness = await makeHarness();
        const base = options.bus ?? harness.bus;
        const { wrapBatch, prepublish } = options;
        const bus: EventBus = wrapBatch
          ? { ...base, subscribeBatch: (s, t, h, o) => base.subscribeBatch(s, t, wrapBatch(h), o) }
          : base;
        const publishTogether = async () => {
          if (!prepublish) return;
          const outcomes = await base.publish(prepublish);
          // The in-process bus answers once every event settled, which a retried one may outlast.
          if (base.kind !== 'memory') expect(outcomes.every((o) => o === undefined)).toBe(true);
        };
        if (base.kind !== 'memory') await publishTogether();
        const metrics = createMetrics({ defaults: false });
        eventing = createEventing({
          database: tdb.database,
          config: testConfig(),
          logger: testLogger(),
          metrics,
          clock: systemClock,
          role: 'all',
          modules: [
            { name: 'catalog', publishes: ['catalog.product.created', 'catalog.product.updated'] },
            { name: 'warehouse', consumers: [created, updated] },
          ],
          bus,
          ...(options.wrapOutboxStore ? { wrapOutboxStore: options.wrapOutboxStore } : {}),
        });
        await eventing.start();
        if (base.kind === 'memory') await publishTogether();
        return { eventing, metrics, harness };
      };
      /** Records the size of every batch a consumer is handed. */
      const batchSizes =
        (sizes: number[]) =>
        (handler: BatchHandler): BatchHandler =>
        async (deliveries) => {
          sizes.push(deliveries.length);
          return handler(deliveries);
        };
      const deliveriesHandled = async (metrics: ReturnType<typeof createMetrics>, subscription: string) =>
        ((await metrics.registry.getSingleMetric('orderline_consumer_deliveries_total')?.get())?.values ?? [])
          .filter((v) => v.labels.subscription === subscription)
          .reduce((sum, v) => sum + v.value, 0);
      const createdEnvelope = (id: string) =>
        buildEnvelope('catalog.product.created', id, productCreated(id));
      const inboxRows = async (eventIds: string[]) =>
        (
          await wh
            .selectFrom('processed_events')
            .select('event_id')
            .where('subscription', '=', 'warehouse.product-created')
            .where('event_id', 'in', eventIds)
            .execute()
        ).length;
      const applications = async (productId: string) =>
        wh.selectFrom('applications').selectAll().where('product_id', '=', productId).execute();
      const createProduct = (productId: string, name?: string) =>
        transaction(catalog, async (tx) => {
          await tx
            .insertInto('products')
            .values({ product_id: productId, name: name ?? 'Blue mug' })
            .execute();
          await tx.publish('catalog.product.created', productId, productCreated(productId, name));
        });
      const unpublished = async () =>
        Number(
          (
            await catalog
              .selectFrom('outbox')
              .select((eb) => eb.fn.countAll<bigint>().as('n'))
              .where('status', '<>', 'published')
              .executeTakeFirstOrThrow()
          ).n,
        );

      it('publishes through the outbox and the consumer applies the event', async () => {
        await start();
        const id = crypto.randomUUID();
        await createProduct(id);
        await waitFor(async () => (await applications(id)).length === 1, 'event applied');
        // The relay marks the row after the bus accepted it, which may be just after the consumer ran.
        const outboxRow = () =>
          catalog.selectFrom('outbox').selectAll().where('key', '=', id).executeTakeFirstOrThrow();
        await waitFor(async () => (await outboxRow()).status === 'published', 'outbox row marked published');
        const row = await outboxRow();
        expect(row.envelope).toMatchObject({
          specversion: '1.0',
          type: 'catalog.product.created',
          subject: id,
          source: 'catalog',
        });
      });

      it('redelivers after a crash between publish and mark, and the consumer applies it once (G3, G4)', async () => {
        let crashed = 0;
        const published: string[] = [];
        const base = await makeHarness();
        const countingBus: EventBus = {
          ...base.bus,
          publish: async (envelopes) => {
            published.push(...envelopes.map((e) => e.id));
            return base.bus.publish(envelopes);
          },
        };
        await start({
          bus: countingBus,
          wrapOutboxStore: (_s, store) => ({
            ...store,
            markPublished: async (ids, now) => {
              if (crashed === 0 && ids.length > 0) {
                crashed++;
                throw new Error('relay crashed before marking published (fault injected)');
              }
              return store.markPublished(ids, now);
            },
          }),
        });
        const id = crypto.randomUUID();
        await createProduct(id);
        await waitFor(
          async () => (await unpublished()) === 0,
          'outbox row marked published after the lease expired',
        );
        const row = await catalog
          .selectFrom('outbox')
          .select('id')
          .where('key', '=', id)
          .executeTakeFirstOrThrow();
        expect(published.filter((e) => e === row.id).length).toBeGreaterThanOrEqual(2);
        await waitFor(async () => (await applications(id)).length === 1, 'event applied');
        // Let any redelivery land, then check it was not applied twice.
        await waitFor(
          async () =>
            (
              await wh
                .selectFrom('processed_events')
                .select('event_id')
                .where('event_id', '=', row.id)
                .execute()
            ).length === 1,
          'inbox recorded the event',
        );
        expect((await applications(id)).length).toBe(1);
        await base.cleanup();
      });

      it('leaves the same state when every event is delivered twice and out of order (G4, G6)', async () => {
        const { harness: h } = await start();
        const id = crypto.randomUUID();
        const versions = [1, 2, 3].map((v) =>
          buildEnvelope('catalog.product.updated', id, {
            ...productCreated(id, `name v${v}`),
            changedFields: ['name'],
            version: v,
          }),
        );
        const [v1, v2, v3] = versions as [EventEnvelope, EventEnvelope, EventEnvelope];
        for (const batch of [
          [v3, v1],
          [v2, v3],
          [v1, v2],
        ]) {
          const outcomes = await h.bus.publish(batch);
          expect(outcomes.every((o) => o === undefined)).toBe(true);
        }
        await waitFor(
          async () =>
            (await wh.selectFrom('update_log').selectAll().where('product_id', '=', id).execute()).length ===
            3,
          'three distinct events applied',
        );
        const state = await wh
          .selectFrom('products')
          .selectAll()
          .where('product_id', '=', id)
          .executeTakeFirstOrThrow();
        expect(state).toEqual({ product_id: id, name: 'name v3', version: 3 });
        const log = await wh
          .selectFrom('update_log')
          .select('version')
          .where('product_id', '=', id)
          .execute();
        expect(log.map((l) => l.version).sort()).toEqual([1, 2, 3]);
      });

      it('retries a throwing handler, dead-letters it after the max, and a replay succeeds once fixed (G5)', async () => {
        const { eventing: ev } = await start();
        const id = crypto.randomUUID();
        failing.add(id);
        await createProduct(id);
        const dlqRow = async () =>
          (await ev.operations.listDeadLetters({ service: 'warehouse', status: 'open' })).find(
            (d) => (d.envelope as EventEnvelope).subject === id,
          );
        await waitFor(async () => (await dlqRow()) !== undefined, 'dead letter stored', 15_000);
        const letter = (await dlqRow())!;
        // 3 deliveries × (1 attempt + 2 in-place retries)
        expect(letter.attempts).toBe(9);
        expect(letter.error).toContain('cannot be opened');
        expect(letter.subscription).toBe('warehouse.product-created');
        expect(await applications(id)).toHaveLength(0);
        failing.delete(id);
        await expect(ev.operations.replayDeadLetter(letter.id)).resolves.toMatchObject({
          outcome: 'processed',
        });
        expect(await applications(id)).toHaveLength(1);
        await expect(ev.operations.replayDeadLetter(letter.id)).rejects.toMatchObject({
          code: 'dead_letter_not_open',
        });
        expect(await applications(id)).toHaveLength(1);
      });

      it('lets the outbox grow while the broker is down and drains it afterwards with nothing lost (G3)', async () => {
        const { harness: h, metrics } = await start();
        h.down();
        const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
        for (const id of ids) await createProduct(id);
        await waitFor(async () => {
          const failures =
            (await metrics.registry.getSingleMetric('orderline_outbox_publish_failures_total')?.get())
              ?.values ?? [];
          return failures.some((v) => v.value > 0);
        }, 'publish failures counted');
        expect(await unpublished()).toBeGreaterThanOrEqual(5);
        h.up();
        await waitFor(async () => (await unpublished()) === 0, 'outbox drained', 20_000);
        for (const id of ids)
          await waitFor(async () => (await applications(id)).length === 1, `event for ${id} applied`, 10_000);
      });

      it('keeps per-key order within a subscription', async () => {
        await start();
        const id = crypto.randomUUID();
        for (let v = 1; v <= 15; v++) {
          await transaction(catalog, (tx) =>
            tx.publish('catalog.product.updated', id, {
              ...productCreated(id, `v${v}`),
              changedFields: ['name'],
              version: v,
            }),
          );
        }
        await waitFor(
          async () =>
            (await wh.selectFrom('update_log').selectAll().where('product_id', '=', id).execute()).length ===
            15,
          'all updates applied',
        );
        const log = await wh
          .selectFrom('update_log')
          .select('version')
          .where('product_id', '=', id)
          .orderBy('seq')
          .execute();
        expect(log.map((l) => l.version)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      });

      it('refuses an invalid payload at publish and dead-letters one at consume', async () => {
        const { eventing: ev, harness: h } = await start();
        const id = crypto.randomUUID();
        await expect(
          transaction(catalog, async (tx) => {
            await tx.insertInto('products').values({ product_id: id, name: 'x' }).execute();
            await tx.publish('catalog.product.created', id, { ...productCreated(id), sku: '' });
          }),
        ).rejects.toMatchObject({ code: 'event_contract_violation' });
        expect(
          await catalog.selectFrom('products').selectAll().where('product_id', '=', id).execute(),
        ).toHaveLength(0);
        expect(await catalog.selectFrom('outbox').selectAll().where('key', '=', id).execute()).toHaveLength(
          0,
        );

        const good = buildEnvelope('catalog.product.created', id, productCreated(id));
        const bad = { ...good, data: { ...(good.data as object), sku: 42 } };
        expect(await h.bus.publish([bad as EventEnvelope])).toEqual([undefined]);
        await waitFor(
          async () =>
            (await ev.operations.listDeadLetters({ service: 'warehouse' })).some(
              (d) => d.eventId === good.id,
            ),
          'invalid event dead-lettered',
        );
        const letter = (await ev.operations.listDeadLetters({ service: 'warehouse' })).find(
          (d) => d.eventId === good.id,
        )!;
        expect(letter.error).toContain('payload does not match catalog.product.created');
        expect(letter.attempts).toBe(1);
        expect(await applications(id)).toHaveLength(0);
      });

      it('applies each event of a batch once: a duplicate inside the batch and one processed earlier change nothing (G4)', async () => {
        const ids = Array.from({ length: 4 }, () => crypto.randomUUID());
        const [e0, e1, e2, e3] = ids.map(createdEnvelope) as [
          EventEnvelope,
          EventEnvelope,
          EventEnvelope,
          EventEnvelope,
        ];
        // e0 went through the inbox before (an earlier delivery).
        await processOnce(wh, 'warehouse.product-created', e0.id, async (tx) => {
          await tx
            .insertInto('applications')
            .values({ event_id: e0.id, product_id: ids[0]!, name: 'x' })
            .execute();
        });
        const sizes: number[] = [];
        const { metrics, harness: h } = await start({
          wrapBatch: batchSizes(sizes),
          prepublish: [e1, e2, e1, e0, e3],
        });
        // JetStream drops the second e1 itself (Nats-Msg-Id) and the in-process bus joins it to the
        // queued one; Redis Streams delivers it.
        const deliveries = h.bus.kind === 'redis' ? 5 : 4;
        await waitFor(
          async () => (await deliveriesHandled(metrics, 'warehouse.product-created')) >= deliveries,
          'every delivery settled',
        );
        expect(Math.max(...sizes)).toBeGreaterThan(1);
        for (const id of ids) expect(await applications(id)).toHaveLength(1);
        expect(await inboxRows([e0.id, e1.id, e2.id, e3.id])).toBe(4);
      });

      it('dead-letters a poison event in the middle of a batch alone; its neighbours and an invalid one are settled (G5)', async () => {
        const ids = Array.from({ length: 4 }, () => crypto.randomUUID());
        const [a, poison, c, d] = ids.map(createdEnvelope) as [
          EventEnvelope,
          EventEnvelope,
          EventEnvelope,
          EventEnvelope,
        ];
        failing.add(ids[1]!);
        const invalidId = crypto.randomUUID();
        const good = createdEnvelope(invalidId);
        const invalid = { ...good, data: { ...(good.data as object), sku: 42 } } as EventEnvelope;
        const sizes: number[] = [];
        const { eventing: ev } = await start({
          wrapBatch: batchSizes(sizes),
          prepublish: [a, poison, invalid, c, d],
        });
        for (const id of [ids[0]!, ids[2]!, ids[3]!])
          await waitFor(async () => (await applications(id)).length === 1, `neighbour ${id} applied`);
        const letters = async () =>
          (await ev.operations.listDeadLetters({ service: 'warehouse', status: 'open' })).filter((l) =>
            [a.id, poison.id, c.id, d.id, good.id].includes(l.eventId),
          );
        await waitFor(async () => (await letters()).length === 2, 'poison and invalid dead-lettered', 15_000);
        // Some batch held more than one event (JetStream may hand the first fetch over with only the
        // message it had buffered, so it need not be the first batch).
        expect(Math.max(...sizes)).toBeGreaterThan(1);
        const byId = new Map((await letters()).map((l) => [l.eventId, l]));
        // 3 deliveries × (1 attempt + 2 in-place retries), counted on the per-event path only.
        expect(byId.get(poison.id)).toMatchObject({ attempts: 9 });
        expect(byId.get(poison.id)?.error).toContain('cannot be opened');
        expect(byId.get(good.id)?.error).toContain('payload does not match');
        expect(await applications(ids[1]!)).toHaveLength(0);
        expect(await applications(invalidId)).toHaveLength(0);
        for (const id of [ids[0]!, ids[2]!, ids[3]!]) expect(await applications(id)).toHaveLength(1);
      });

      it('redelivers a batch whose transaction committed but whose ack never happened, and changes nothing (G3, G4)', async () => {
        const ids = Array.from({ length: 6 }, () => crypto.randomUUID());
        const envelopes = ids.map(createdEnvelope);
        const seen: string[] = [];
        let crashedBatch: string[] = [];
        const { metrics } = await start({
          prepublish: envelopes,
          wrapBatch: (handler) => async (deliveries) => {
            const batch = deliveries.map((d) => (d.envelope as EventEnvelope).id);
            seen.push(...batch);
            const dispositions = await handler(deliveries); // committed
            if (crashedBatch.length === 0 && batch.length > 1) {
              crashedBatch = batch;
              throw new Error('process died between commit and ack (fault injected)');
            }
            return dispositions;
          },
        });
        await waitFor(() => crashedBatch.length > 1, 'a batch committed and its ack was lost');
        await waitFor(
          () => crashedBatch.every((id) => seen.filter((s) => s === id).length >= 2),
          'the unacked batch was redelivered',
          15_000,
        );
        await waitFor(
          async () =>
            (await deliveriesHandled(metrics, 'warehouse.product-created')) >=
            ids.length + crashedBatch.length,
          'redelivered events settled',
        );
        for (const id of ids) expect(await applications(id)).toHaveLength(1);
        expect(await inboxRows(envelopes.map((e) => e.id))).toBe(ids.length);
      });

      it('applies each event once with two consumers of the same subscription and duplicate deliveries (G4)', async () => {
        const ids = Array.from({ length: 40 }, () => crypto.randomUUID());
        const envelopes = ids.map(createdEnvelope);
        const { harness: h } = await start();
        // A second replica of the warehouse consumer on the same bus and group.
        const replica = await h.bus.subscribeBatch(
          created.subscription,
          [created.topic],
          createBatchHandler({
            service: 'warehouse',
            db: tdb.database.forSchema('warehouse'),
            consumer: created,
            settings: { retryDelaysMs: [5], redeliveryBaseMs: 20, redeliveryMaxMs: 100, maxDeliveries: 3 },
            logger: testLogger(),
            metrics: eventingMetrics(createMetrics({ defaults: false })),
            clock: systemClock,
          }),
          { concurrency: 4, ackWaitMs: 2000, batchSize: 8 },
        );
        try {
          const outcomes = await h.bus.publish([...envelopes, ...envelopes.slice(0, 20)]);
          expect(outcomes.every((o) => o === undefined)).toBe(true);
          await waitFor(
            async () => (await inboxRows(envelopes.map((e) => e.id))) === ids.length,
            'all recorded',
          );
          for (const id of ids) expect(await applications(id)).toHaveLength(1);
        } finally {
          await replica.close();
        }
      });
    });
  }
}
