import type { EventEnvelope } from '../../contracts/index.js';
import {
  type BatchHandler,
  type BatchSubscribeOptions,
  type EventBus,
  subscribeOneAtATime,
} from './bus.types.js';

interface Entry {
  id: string;
  key: string;
  body: string;
  deliveryCount: number;
  availableAt: number;
  inFlight: boolean;
  settled: ((error?: Error) => void)[];
}

interface MemorySubscription {
  name: string;
  topics: ReadonlySet<string>;
  handler: BatchHandler;
  options: BatchSubscribeOptions;
  entries: Entry[];
  /** The queued entries by event id (a re-offer joins the queued entry). */
  queued: Map<string, Entry>;
  /** Ids settled recently (insertion-ordered, bounded): a late republish of one is not redelivered. */
  settledIds: Set<string>;
  active: number;
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
}

export interface MemoryBusOptions {
  /**
   * How long `publish` waits for every subscription to settle an event (handled, skipped as a
   * duplicate, or dead-lettered). The relay marks a row published only after that, so a crash of
   * the embedded process never loses an event held only in memory (G3); an unsettled event is
   * reported as not yet published and the relay re-offers it (deduplicated while still queued).
   */
  settleTimeoutMs?: number;
  onError?: (err: unknown, subscription: string) => void;
}

export interface MemoryBus extends EventBus {
  /** Fault port for tests: an unavailable broker refuses every publish. */
  setAvailable(available: boolean): void;
}

/** How many settled event ids each subscription remembers to ignore late republishes. */
const SETTLED_MEMORY = 10_000;

/** The embedded in-process bus: at-least-once, per-key FIFO within a subscription, delayed redelivery. */
export function createMemoryBus(options: MemoryBusOptions = {}): MemoryBus {
  const subscriptions = new Set<MemorySubscription>();
  const settleTimeoutMs = options.settleTimeoutMs ?? 2000;
  let available = true;

  function dispatch(sub: MemorySubscription): void {
    if (sub.closed) return;
    const now = Date.now();
    const blockedKeys = new Set<string>();
    let batch: Entry[] = [];
    let nextAt = Number.POSITIVE_INFINITY;
    const flush = () => {
      for (const entry of batch) blockedKeys.add(entry.key);
      deliver(sub, batch);
      batch = [];
    };
    for (const entry of sub.entries) {
      // Per-key FIFO: an entry waits behind any earlier entry of its key that is in flight or
      // delayed; later entries of a key may join the same batch, which is handled in order.
      if (blockedKeys.has(entry.key)) continue;
      if (entry.inFlight || entry.availableAt > now) {
        blockedKeys.add(entry.key);
        if (!entry.inFlight) nextAt = Math.min(nextAt, entry.availableAt);
        continue;
      }
      if (batch.length === 0 && sub.active >= sub.options.concurrency) return;
      batch.push(entry);
      if (batch.length >= sub.options.batchSize) flush();
    }
    if (batch.length > 0) flush();
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = Number.isFinite(nextAt) ? setTimeout(() => dispatch(sub), nextAt - now) : undefined;
  }

  function deliver(sub: MemorySubscription, batch: Entry[]): void {
    sub.active++;
    const deliveries = batch.map((entry) => {
      entry.inFlight = true;
      entry.deliveryCount++;
      return { envelope: JSON.parse(entry.body), deliveryCount: entry.deliveryCount };
    });
    sub
      .handler(deliveries)
      .then((dispositions) => {
        const now = Date.now();
        batch.forEach((entry, i) => {
          const disposition = dispositions[i];
          if (disposition?.kind === 'ack') remove(sub, entry);
          else if (disposition) entry.availableAt = now + disposition.delayMs;
          else {
            options.onError?.(new Error(`no disposition for event ${entry.id}`), sub.name);
            entry.availableAt = now + sub.options.ackWaitMs;
          }
        });
      })
      .catch((err: unknown) => {
        options.onError?.(err, sub.name);
        for (const entry of batch) entry.availableAt = Date.now() + sub.options.ackWaitMs;
      })
      .finally(() => {
        for (const entry of batch) entry.inFlight = false;
        sub.active--;
        dispatch(sub);
      });
  }

  function remove(sub: MemorySubscription, entry: Entry): void {
    sub.entries.splice(sub.entries.indexOf(entry), 1);
    sub.queued.delete(entry.id);
    sub.settledIds.add(entry.id);
    if (sub.settledIds.size > SETTLED_MEMORY) sub.settledIds.delete(sub.settledIds.values().next().value!);
    for (const settle of entry.settled) settle();
  }

  function offer(sub: MemorySubscription, envelope: EventEnvelope): Promise<Error | undefined> {
    // The relay re-offers an event whose settling outlasted its wait (long retries before a dead
    // letter); once settled here, delivering it again would only repeat the dead letter.
    if (sub.settledIds.has(envelope.id)) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve(new Error(`event ${envelope.id} not yet settled by subscription ${sub.name}`)),
        settleTimeoutMs,
      );
      const settle = (error?: Error) => {
        clearTimeout(timer);
        resolve(error);
      };
      const queued = sub.queued.get(envelope.id);
      if (queued) queued.settled.push(settle);
      else {
        const entry: Entry = {
          id: envelope.id,
          key: envelope.subject,
          body: JSON.stringify(envelope),
          deliveryCount: 0,
          availableAt: 0,
          inFlight: false,
          settled: [settle],
        };
        sub.entries.push(entry);
        sub.queued.set(entry.id, entry);
      }
    });
  }

  const subscribeBatch: EventBus['subscribeBatch'] = async (name, topics, handler, subscribeOptions) => {
    const sub: MemorySubscription = {
      name,
      topics: new Set(topics),
      handler,
      options: subscribeOptions,
      entries: [],
      queued: new Map(),
      settledIds: new Set(),
      active: 0,
      timer: undefined,
      closed: false,
    };
    subscriptions.add(sub);
    return {
      close: async () => {
        sub.closed = true;
        subscriptions.delete(sub);
        if (sub.timer) clearTimeout(sub.timer);
        for (const entry of sub.entries)
          for (const settle of entry.settled) settle(new Error('subscription closed'));
      },
    };
  };

  return {
    kind: 'memory',
    setAvailable(value) {
      available = value;
    },
    async publish(envelopes) {
      if (!available) return envelopes.map(() => new Error('memory bus unavailable (fault injected)'));
      const outcomes = envelopes.map((envelope) =>
        Promise.all(
          [...subscriptions].filter((s) => s.topics.has(envelope.type)).map((s) => offer(s, envelope)),
        ),
      );
      for (const sub of subscriptions) dispatch(sub);
      return Promise.all(outcomes.map(async (o) => (await o).find((e) => e !== undefined)));
    },
    subscribe: subscribeOneAtATime(subscribeBatch),
    subscribeBatch,
    async ping() {
      if (!available) throw new Error('memory bus unavailable (fault injected)');
    },
    async close() {
      for (const sub of subscriptions) {
        sub.closed = true;
        if (sub.timer) clearTimeout(sub.timer);
      }
      subscriptions.clear();
    },
  };
}
