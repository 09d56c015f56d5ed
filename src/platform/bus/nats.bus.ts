import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { errorMessage } from '../eventing/backoff.js';
import type { Logger } from '../logging/logger.js';
import { type BusSubscription, type EventBus, subscribeOneAtATime } from './bus.types.js';
import { envelopeKey, KeyedRunner } from './keyed.runner.js';

export interface NatsBusOptions {
  url: string;
  /** Stream name and subject prefix (BUS_PREFIX); tests use a unique one per run. */
  prefix: string;
  logger: Logger;
  publishTimeoutMs: number;
  /** Nats-Msg-Id deduplication window: a republished event id inside it is dropped by the server. */
  duplicateWindowMs?: number;
  /** Messages kept per stream (the stream is a log; consumers track their own position). */
  maxMessages?: number;
  reconnectWaitMs?: number;
}

const nanos = (ms: number): number => ms * 1_000_000;
/** Durable names may not contain `.`, `*`, `>` or whitespace. */
export const durableName = (subscription: string): string => subscription.replace(/[^A-Za-z0-9_-]/g, '_');
export const natsStreamName = (prefix: string): string => prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');

/**
 * NATS JetStream adapter: one stream holding every topic (`<prefix>.<topic>`), a durable pull
 * consumer per subscription shared by the service's replicas, explicit ack after the handler's
 * transaction committed (G3), nak with a delay for redelivery, and `Nats-Msg-Id` = event id so a
 * relay that republishes after a crash inside the dedup window does not even create a duplicate.
 */
export async function createNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const nc = await connect({
    servers: options.url,
    name: `orderline-${process.pid}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectWaitMs ?? 1000,
  });
  const js: JetStreamClient = jetstream(nc, { timeout: options.publishTimeoutMs });
  const jsm = await jetstreamManager(nc);
  const streamName = natsStreamName(options.prefix);
  const subject = (topic: string) => `${options.prefix}.${topic}`;
  try {
    await jsm.streams.info(streamName);
  } catch (err) {
    if (!/not found/i.test(errorMessage(err))) throw err;
    await jsm.streams.add({
      name: streamName,
      subjects: [`${options.prefix}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
      max_msgs: options.maxMessages ?? 1_000_000,
    });
  }
  const subscriptions = new Set<BusSubscription>();

  const subscribeBatch: EventBus['subscribeBatch'] = async (
    subscription,
    topics,
    handler,
    subscribeOptions,
  ) => {
    const durable = durableName(subscription);
    await jsm.consumers.add(streamName, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      // A single filter works on every server; several filters need NATS 2.10.
      ...(topics.length === 1
        ? { filter_subject: subject(topics[0]!) }
        : { filter_subjects: topics.map(subject) }),
      ack_wait: nanos(subscribeOptions.ackWaitMs),
      // The inbox runner dead-letters at CONSUMER_MAX_DELIVERIES; a server-side max_deliver would
      // drop the message with only an advisory when that write itself failed (G5: never silently).
      max_deliver: -1,
    });
    const consumer = await js.consumers.get(streamName, durable);
    const { batchSize, concurrency } = subscribeOptions;
    // Pulls keep a few batches buffered so the next one is ready when a slot frees up.
    const messages = await consumer.consume({ max_messages: Math.max(batchSize * 2, concurrency * 2) });
    const runner = new KeyedRunner(concurrency, (err) =>
      options.logger.error({ err, subscription }, 'nats delivery handling failed'),
    );
    interface Received {
      msg: JsMsg;
      envelope: unknown;
    }
    const handle = async (batch: readonly Received[]): Promise<void> => {
      const dispositions = await handler(
        batch.map(({ msg, envelope }) => ({ envelope, deliveryCount: msg.info.deliveryCount })),
      );
      // Acks only after the handler's transaction committed (G3); nak asks for a delayed redelivery.
      batch.forEach(({ msg }, i) => {
        const disposition = dispositions[i];
        if (!disposition) throw new Error(`no disposition for message ${msg.seq}`);
        if (disposition.kind === 'ack') msg.ack();
        else msg.nak(disposition.delayMs);
      });
    };
    const submit = (batch: Received[]) =>
      runner.submit(
        batch.map((r) => envelopeKey(r.envelope)),
        () => handle(batch),
      );
    const loop = (async () => {
      let batch: Received[] = [];
      // Batches reach the runner one after another, in arrival order (per-key order).
      let submitted: Promise<void> = Promise.resolve();
      let scheduled = false;
      const flush = (): Promise<void> => {
        scheduled = false;
        if (batch.length === 0) return submitted;
        const full = batch;
        batch = [];
        submitted = submitted.then(() => submit(full));
        return submitted;
      };
      for await (const msg of messages) {
        let envelope: unknown = msg.string();
        try {
          envelope = msg.json();
        } catch (err) {
          options.logger.warn(
            { subscription, err: errorMessage(err) },
            'message is not JSON; the inbox dead-letters it',
          );
        }
        batch.push({ msg, envelope });
        // A batch is what already arrived: full, or whatever is buffered once this turn of the
        // event loop has yielded every message the client had received.
        if (batch.length >= batchSize) await flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }
      await flush();
    })();
    const sub: BusSubscription = {
      close: async () => {
        messages.stop();
        await loop;
        await runner.drain();
      },
    };
    subscriptions.add(sub);
    return {
      close: async () => {
        subscriptions.delete(sub);
        await sub.close();
      },
    };
  };

  return {
    kind: 'nats',
    async publish(envelopes) {
      // All publishes go out on one connection in order without waiting for each ack (pipelined).
      return Promise.all(
        envelopes.map((e) =>
          js
            .publish(subject(e.type), JSON.stringify(e), { msgID: e.id, timeout: options.publishTimeoutMs })
            .then(
              () => undefined,
              (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
            ),
        ),
      );
    },
    subscribe: subscribeOneAtATime(subscribeBatch),
    subscribeBatch,
    async ping() {
      await nc.flush();
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      subscriptions.clear();
      await nc.close();
    },
  };
}

/** Deletes the stream of `prefix` (tests clean up after themselves). */
export async function deleteNatsStream(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(natsStreamName(prefix));
  } finally {
    await nc.close();
  }
}
