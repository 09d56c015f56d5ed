import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { createNatsBus, deleteNatsStream } from '../src/platform/bus/nats.bus.js';
import { createRedisBus } from '../src/platform/bus/redis.bus.js';
import { systemClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config/config.js';
import { createDatabase, type Database } from '../src/platform/db/database.js';
import { migrateSchema } from '../src/platform/db/migrations.js';
import {
  createEventing,
  createMemoryBus,
  defineConsumer,
  type EventBus,
  platformMigrations,
  transaction,
} from '../src/platform/eventing/index.js';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import { createPostgresDatabase } from '../test/databases.js';
import type { DatabaseKind } from './target.js';

/**
 * Outbox → bus → consumer throughput with the platform's own machinery (outbox publisher, relay,
 * bus adapter, inbox consumer runner) on a scratch database of the run's kind, and the raw
 * transport baseline for each broker. The outbox is filled first (not timed); the clock runs from
 * starting the relay until the consumer has handled every event.
 */
export type Adapter = 'memory' | 'redis' | 'nats';

const logger = createLogger({ level: 'silent' });

export function availableAdapters(): Adapter[] {
  return [
    'memory',
    ...(process.env.REDIS_URL ? (['redis'] as const) : []),
    ...(process.env.NATS_URL ? (['nats'] as const) : []),
  ];
}

async function scratchDatabase(kind: DatabaseKind): Promise<{ database: Database; drop(): Promise<void> }> {
  if (kind === 'pglite') return { database: await createDatabase({}), drop: async () => {} };
  const pgDb = await createPostgresDatabase();
  return { database: await createDatabase({ url: pgDb.url, poolMax: 10 }), drop: pgDb.drop };
}

async function makeBus(
  adapter: Adapter,
  prefix: string,
): Promise<{ bus: EventBus; cleanup(): Promise<void> }> {
  if (adapter === 'memory') return { bus: createMemoryBus(), cleanup: async () => {} };
  if (adapter === 'redis') {
    const url = process.env.REDIS_URL!;
    return {
      bus: createRedisBus({ url, prefix, maxLen: 1_000_000, logger }),
      cleanup: () => deleteRedisKeys(url, prefix),
    };
  }
  const url = process.env.NATS_URL!;
  return {
    bus: await createNatsBus({ url, prefix, logger, publishTimeoutMs: 5000 }),
    cleanup: () => deleteNatsStream(url, prefix),
  };
}

/** Deletes a run's Redis keys (streams, groups) under `prefix`. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** events/s through outbox → relay → bus → inbox consumer. */
export async function platformEventPath(
  kind: DatabaseKind,
  adapter: Adapter,
  events: number,
): Promise<number> {
  const { database, drop } = await scratchDatabase(kind);
  const prefix = `bench${randomUUID().slice(0, 8)}`;
  const { bus, cleanup } = await makeBus(adapter, prefix);
  let handled = 0;
  const counter = defineConsumer({
    subscription: 'warehouse.bench-count',
    topic: 'catalog.product.created',
    handle: async () => {
      handled++;
    },
  });
  const eventing = createEventing({
    database,
    // The platform's defaults: we measure what a deployment gets.
    config: loadConfig({}, { LOG_LEVEL: 'silent', BUS_PREFIX: prefix }),
    logger,
    metrics: createMetrics({ defaults: false }),
    clock: systemClock,
    role: 'all',
    modules: [
      { name: 'catalog', publishes: ['catalog.product.created'] },
      { name: 'warehouse', consumers: [counter] },
    ],
    bus,
  });
  try {
    for (const schema of ['catalog', 'warehouse'])
      await migrateSchema(database, schema, platformMigrations());
    const catalog = database.forSchema('catalog');
    for (let written = 0; written < events; written += 200) {
      await transaction(catalog, async (tx) => {
        for (let i = written; i < Math.min(events, written + 200); i++) {
          const productId = newId();
          await tx.publish('catalog.product.created', productId, {
            productId,
            sku: `EVT-${i}`,
            name: 'Bench event product',
            category: null,
            status: 'active',
            occurredAt: new Date().toISOString(),
          });
        }
      });
    }
    const t0 = performance.now();
    await eventing.start();
    await waitUntil(() => handled >= events, `${events} events through ${adapter}`, 300_000);
    return (events * 1000) / (performance.now() - t0);
  } finally {
    await eventing.stop();
    await bus.close();
    await cleanup();
    await database.close();
    await drop();
  }
}

const PAYLOAD = JSON.stringify({
  specversion: '1.0',
  id: '0190b0a0-0000-7000-8000-000000000000',
  source: 'catalog',
  type: 'catalog.product.created',
  subject: '0190b0a0-0000-7000-8000-000000000001',
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  schemaversion: '1',
  data: { productId: '0190b0a0-0000-7000-8000-000000000001', sku: 'EVT-1', name: 'Bench', category: null },
});

/** Raw Redis Streams: pipelined XADD while one consumer does XREADGROUP + XACK. */
export async function rawRedis(events: number): Promise<number> {
  const url = process.env.REDIS_URL!;
  const prefix = `benchraw${randomUUID().slice(0, 8)}`;
  const stream = `${prefix}:stream`;
  const producer = new Redis(url);
  const consumer = new Redis(url);
  try {
    await producer.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
    const t0 = performance.now();
    const produce = (async () => {
      for (let sent = 0; sent < events; sent += 200) {
        const pipe = producer.pipeline();
        for (let i = sent; i < Math.min(events, sent + 200); i++)
          pipe.xadd(stream, 'MAXLEN', '~', '1000000', '*', 'envelope', PAYLOAD);
        await pipe.exec();
      }
    })();
    let received = 0;
    while (received < events) {
      const res = (await consumer.xreadgroup(
        'GROUP',
        'g',
        'c1',
        'COUNT',
        '200',
        'BLOCK',
        '100',
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][] | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      await consumer.xack(stream, 'g', ...entries.map((e) => e[0]));
      received += entries.length;
    }
    await produce;
    return (events * 1000) / (performance.now() - t0);
  } finally {
    await producer.del(stream);
    producer.disconnect();
    consumer.disconnect();
  }
}

/** Raw NATS JetStream: pipelined publishes (acked by the server) while a pull consumer acks each. */
export async function rawNats(events: number): Promise<number> {
  const url = process.env.NATS_URL!;
  const name = `BENCHRAW${randomUUID().slice(0, 8).toUpperCase()}`;
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name, subjects: [`${name}.>`], storage: StorageType.File });
    await jsm.consumers.add(name, {
      durable_name: 'c',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    const js = jetstream(nc);
    const t0 = performance.now();
    const produce = (async () => {
      for (let sent = 0; sent < events; sent += 200) {
        const batch: Promise<unknown>[] = [];
        for (let i = sent; i < Math.min(events, sent + 200); i++)
          batch.push(js.publish(`${name}.evt`, PAYLOAD));
        await Promise.all(batch);
      }
    })();
    const consumer = await js.consumers.get(name, 'c');
    const messages = await consumer.consume({ max_messages: 400 });
    let received = 0;
    for await (const msg of messages) {
      msg.ack();
      if (++received >= events) break;
    }
    await produce;
    const perSecond = (events * 1000) / (performance.now() - t0);
    await jsm.streams.delete(name);
    return perSecond;
  } finally {
    await nc.close();
  }
}
