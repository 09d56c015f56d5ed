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

export interface SubscribeOptions {
  /** Deliveries handled at once per subscription; same-key deliveries stay sequential. */
  concurrency: number;
  /** An unacknowledged delivery older than this is considered stuck and redelivered. */
  ackWaitMs: number;
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
  subscribe(
    subscription: string,
    topics: readonly string[],
    handler: DeliveryHandler,
    options: SubscribeOptions,
  ): Promise<BusSubscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Subscription names become consumer group / durable names: keep them to a safe alphabet. */
export const SUBSCRIPTION_RE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
