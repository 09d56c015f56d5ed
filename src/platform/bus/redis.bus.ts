import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { errorMessage, sleep } from '../eventing/backoff.js';
import type { Logger } from '../logging/logger.js';
import {
  type BatchHandler,
  type BatchSubscribeOptions,
  type BusSubscription,
  type Delivery,
  type EventBus,
  subscribeOneAtATime,
} from './bus.types.js';
import { KeyedRunner } from './keyed.runner.js';

export interface RedisBusOptions {
  url: string;
  /** Namespace of stream and key names (BUS_PREFIX); tests use a unique one per run. */
  prefix: string;
  /** Approximate MAXLEN per stream (XADD MAXLEN ~). */
  maxLen: number;
  logger: Logger;
  /** Block time of one XREADGROUP; bounds how long `close` waits. */
  blockMs?: number;
  /** How often a consumer looks for due retries and stuck entries. */
  reclaimIntervalMs?: number;
}

/** Owner of entries parked for a delayed redelivery; they are not "stuck", they wait on purpose. */
const DELAYED = '__delayed';
type StreamEntry = [id: string, fields: string[]];
interface PendingEntry {
  id: string;
  fields: string[];
  deliveryCount: number;
}

/**
 * Redis Streams adapter: one stream per topic, one consumer group per subscription (replicas share
 * it), XACK only after the handler's transaction committed (G3). Redis has no nak-with-delay, so a
 * retry parks the entry on a `__delayed` consumer and records its due time in a sorted set; the
 * reclaim pass claims it back when due (XCLAIM counts the delivery) and takes over entries left
 * unacknowledged by a dead consumer with XAUTOCLAIM.
 */
export function createRedisBus(options: RedisBusOptions): EventBus {
  const stream = (topic: string) => `${options.prefix}:stream:${topic}`;
  // Fail fast while disconnected (no offline queue): the outbox keeps the event and retries (G3).
  const publisher = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  publisher.on('error', (err) =>
    options.logger.debug({ err: err.message }, 'redis publisher connection error'),
  );
  const connecting = publisher.connect().catch((err: unknown) => {
    options.logger.warn({ err: errorMessage(err) }, 'redis publisher cannot connect yet; it keeps retrying');
  });
  const subscriptions = new Set<BusSubscription>();
  const subscribeBatch: EventBus['subscribeBatch'] = async (
    subscription,
    topics,
    handler,
    subscribeOptions,
  ) => {
    const sub = await subscribeRedis(options, stream, subscription, topics, handler, subscribeOptions);
    subscriptions.add(sub);
    return {
      close: async () => {
        subscriptions.delete(sub);
        await sub.close();
      },
    };
  };

  return {
    kind: 'redis',
    async publish(envelopes) {
      await connecting;
      const pipeline = publisher.pipeline();
      for (const e of envelopes) {
        pipeline.xadd(
          stream(e.type),
          'MAXLEN',
          '~',
          options.maxLen,
          '*',
          'id',
          e.id,
          'key',
          e.subject,
          'e',
          JSON.stringify(e),
        );
      }
      try {
        const results = (await pipeline.exec()) ?? [];
        return envelopes.map(
          (_, i) => results[i]?.[0] ?? (results[i] ? undefined : new Error('no reply from redis')),
        );
      } catch (err) {
        return envelopes.map(() => (err instanceof Error ? err : new Error(String(err))));
      }
    },
    subscribe: subscribeOneAtATime(subscribeBatch),
    subscribeBatch,
    async ping() {
      await connecting;
      await publisher.ping();
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      subscriptions.clear();
      publisher.disconnect();
    },
  };
}

async function subscribeRedis(
  options: RedisBusOptions,
  stream: (topic: string) => string,
  group: string,
  topics: readonly string[],
  handler: BatchHandler,
  subscribeOptions: BatchSubscribeOptions,
): Promise<BusSubscription> {
  const { logger } = options;
  const streams = topics.map(stream);
  const retryKey = `${options.prefix}:retry:${group}`;
  const consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // Blocking reads need their own connection; commands (ack, claim) use another.
  const reader = new Redis(options.url, { maxRetriesPerRequest: null });
  const commands = new Redis(options.url, { maxRetriesPerRequest: null });
  for (const conn of [reader, commands])
    conn.on('error', (err) => logger.debug({ err: err.message, group }, 'redis consumer connection error'));
  for (const s of streams) {
    try {
      // From the stream's start: events published before the group existed are delivered too (G3).
      await commands.xgroup('CREATE', s, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!errorMessage(err).includes('BUSYGROUP')) throw err;
    }
  }
  const runner = new KeyedRunner(subscribeOptions.concurrency, (err) =>
    logger.error({ err, group }, 'redis delivery handling failed'),
  );
  let closed = false;

  /** Entries of one stream, handled as one batch in stream order; acked together after the commit. */
  const handle = async (s: string, entries: readonly PendingEntry[]): Promise<void> => {
    const deliveries: Delivery[] = entries.map(({ id, fields, deliveryCount }) => {
      const body = fieldValue(fields, 'e');
      let envelope: unknown = body;
      try {
        envelope = JSON.parse(body ?? '');
      } catch (err) {
        logger.warn(
          { group, id, err: errorMessage(err) },
          'stream entry is not JSON; the inbox dead-letters it',
        );
      }
      return { envelope, deliveryCount };
    });
    const dispositions = await handler(deliveries);
    const acked: string[] = [];
    const settle = commands.pipeline();
    entries.forEach(({ id }, i) => {
      const disposition = dispositions[i];
      if (!disposition) throw new Error(`no disposition for stream entry ${id}`);
      if (disposition.kind === 'ack') {
        acked.push(id);
        return;
      }
      // Park for a delayed redelivery; JUSTID keeps the delivery count unchanged until it is retried.
      settle.zadd(retryKey, Date.now() + disposition.delayMs, `${s}|${id}`);
      settle.xclaim(s, group, DELAYED, 0, id, 'JUSTID');
    });
    if (acked.length > 0) settle.xack(s, group, ...acked);
    for (const [err] of (await settle.exec()) ?? []) if (err) throw err;
  };

  const deliveryCountOf = async (s: string, id: string): Promise<number> => {
    const pending = (await commands.xpending(s, group, id, id, 1)) as [string, string, number, number][];
    return Number(pending[0]?.[3] ?? 1);
  };

  const claimAndHandle = async (s: string, id: string): Promise<void> => {
    const claimed = (await commands.xclaim(s, group, consumer, 0, id)) as (StreamEntry | null)[];
    const entry = claimed[0];
    if (!entry) {
      // Trimmed by MAXLEN before it was handled: surface it, never pretend it was processed (G5).
      logger.error(
        { group, stream: s, id },
        'pending stream entry was trimmed before delivery; raise BUS_STREAM_MAXLEN',
      );
      await commands.xack(s, group, id);
      return;
    }
    const count = await deliveryCountOf(s, id);
    await runner.submit(fieldValue(entry[1], 'key') ?? '', () =>
      handle(s, [{ id, fields: entry[1], deliveryCount: count }]),
    );
  };

  const reclaim = async (): Promise<void> => {
    const due = await commands.zrangebyscore(retryKey, '-inf', Date.now(), 'LIMIT', 0, 100);
    for (const member of due) {
      // ZREM is the lock between replicas: only the one that removed it redelivers.
      if ((await commands.zrem(retryKey, member)) !== 1) continue;
      const [s, id] = member.split('|') as [string, string];
      await claimAndHandle(s, id);
    }
    for (const s of streams) {
      const [, ids] = (await commands.xautoclaim(
        s,
        group,
        consumer,
        subscribeOptions.ackWaitMs,
        '0-0',
        'COUNT',
        100,
        'JUSTID',
      )) as [string, string[]];
      for (const id of ids) {
        if ((await commands.zscore(retryKey, `${s}|${id}`)) !== null) {
          await commands.xclaim(s, group, DELAYED, 0, id, 'JUSTID'); // parked retry, not stuck
          continue;
        }
        logger.warn({ group, stream: s, id }, 'taking over a stream entry left unacknowledged');
        await claimAndHandle(s, id);
      }
    }
  };

  // Enough for a full batch, and for every slot when deliveries go one at a time.
  const readCount = Math.max(subscribeOptions.batchSize, subscribeOptions.concurrency * 4);
  const loop = (async () => {
    let lastReclaim = 0;
    while (!closed) {
      try {
        if (Date.now() - lastReclaim >= (options.reclaimIntervalMs ?? 1000)) {
          lastReclaim = Date.now();
          await reclaim();
        }
        const result = (await reader.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          readCount,
          'BLOCK',
          options.blockMs ?? 500,
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        )) as [string, StreamEntry[]][] | null;
        for (const [s, entries] of result ?? []) {
          for (let from = 0; from < entries.length; from += subscribeOptions.batchSize) {
            const batch = entries
              .slice(from, from + subscribeOptions.batchSize)
              .map(([id, fields]) => ({ id, fields, deliveryCount: 1 }));
            await runner.submit(
              batch.map((e) => fieldValue(e.fields, 'key') ?? ''),
              () => handle(s, batch),
            );
          }
        }
      } catch (err) {
        if (closed) break;
        logger.warn({ group, err: errorMessage(err) }, 'redis consumer loop error; retrying');
        await sleep(500);
      }
    }
  })();

  return {
    close: async () => {
      closed = true;
      await loop;
      await runner.drain();
      reader.disconnect();
      commands.disconnect();
    },
  };
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
