import type { EventEnvelope } from '../../contracts/index.js';

/** One delivery of an event to a subscription. `envelope` is untrusted: the inbox validates it. */
export interface Delivery {
  envelope: unknown;
  /** 1 on the first delivery; adapters take it from the broker (XPENDING, JetStream info). */
  deliveryCount: number;
}

/** What the adapter does with a delivery once the handler (and its transaction) finished. */
export type Disposition = { kind: 'ack' } | { kind: 'retry'; delayMs: number };

export type DeliveryHandler = (delivery: Delivery) => Promise<Disposition>;

/**
 * Handles up to `batchSize` deliveries at once, in delivery order, and resolves with one
 * disposition per delivery (same order) only after its transaction committed: the adapter acks
 * after that (G3). A rejection settles nothing; the broker redelivers the whole batch.
 */
export type BatchHandler = (deliveries: readonly Delivery[]) => Promise<Disposition[]>;

export interface SubscribeOptions {
  /** Deliveries (or batches of them) handled at once per subscription; same-key deliveries stay sequential. */
  concurrency: number;
  /** An unacknowledged delivery older than this is considered stuck and redelivered. */
  ackWaitMs: number;
}

export interface BatchSubscribeOptions extends SubscribeOptions {
  /** Most deliveries in one batch (CONSUMER_BATCH_SIZE); 1 hands them over one at a time. */
  batchSize: number;
}

export interface BusSubscription {
  close(): Promise<void>;
}

/**
 * The event bus port: at-least-once delivery, one consumer group per subscription shared by the
 * replicas of a service. Only the outbox relay publishes (conventions §7).
 */
export interface EventBus {
  readonly kind: 'memory' | 'redis' | 'nats';
  /** Publishes in order; resolves with one entry per envelope: undefined when stored, else the error. */
  publish(envelopes: readonly EventEnvelope[]): Promise<(Error | undefined)[]>;
  /** One delivery at a time per handler call (a batch subscription of size 1). */
  subscribe(
    subscription: string,
    topics: readonly string[],
    handler: DeliveryHandler,
    options: SubscribeOptions,
  ): Promise<BusSubscription>;
  /** Deliveries handed over in batches of up to `batchSize` (what the inbox consumer runner uses). */
  subscribeBatch(
    subscription: string,
    topics: readonly string[],
    handler: BatchHandler,
    options: BatchSubscribeOptions,
  ): Promise<BusSubscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `subscribe` in terms of `subscribeBatch`: every adapter implements only the batch form. */
export const subscribeOneAtATime =
  (subscribeBatch: EventBus['subscribeBatch']): EventBus['subscribe'] =>
  (subscription, topics, handler, options) =>
    subscribeBatch(subscription, topics, async (deliveries) => Promise.all(deliveries.map(handler)), {
      ...options,
      batchSize: 1,
    });

/** Subscription names become consumer group / durable names: keep them to a safe alphabet. */
export const SUBSCRIPTION_RE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
