import type { Transaction } from 'kysely';
import type { EventData, EventEnvelope, Topic } from '../../contracts/index.js';
import type { Logger } from '../logging/logger.js';

/** What a consumer's handler gets beside the transaction and the validated event. */
export interface ConsumerContext {
  subscription: string;
  /** 1 on the first delivery; replays from the DLQ count on from the dead letter's attempts. */
  deliveryCount: number;
  logger: Logger;
  /**
   * Runs `work` once the transaction that applies this event has committed (never if it rolls
   * back): follow-ups such as a kick that reads what the handler wrote then always find it.
   */
  afterCommit(work: () => void): void;
}

/**
 * A subscription a service module declares (`module.consumers`). The platform runs `handle` inside
 * a transaction that first records `(subscription, event.id)` in `processed_events`; all writes go
 * through `tx`, so the effect and the "done" mark commit together (G4). Throw to fail: the event is
 * retried, then dead-lettered (G5). Handlers must tolerate reordering (G6).
 */
// biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
export interface ConsumerDeclaration<T extends Topic = Topic, DB = any> {
  /** `<service>.<purpose>`, e.g. `warehouse.product-created`; the consumer group / durable name. */
  subscription: string;
  topic: T;
  handle(tx: Transaction<DB>, event: EventEnvelope<EventData<T>>, ctx: ConsumerContext): Promise<void>;
  /**
   * Optional: a pure test of the event alone (no I/O) that says whether `handle` would do anything
   * with it, e.g. a consumer of order status changes that acts on `cancelled` only. An event it
   * refuses is acked without a transaction or an inbox row (counted as `skipped`): redelivered, it
   * is refused again, so skipping it keeps G4. `handle` only ever sees accepted events. Leave it out
   * when the handler keeps state for every event (a sequence guard that must see each one, G6).
   */
  accepts?(event: EventEnvelope<EventData<T>>): boolean;
  /**
   * Optional: the new (not yet processed) events of one delivered batch in one call, inside the
   * same inbox transaction, so a consumer can write them with multi-row statements (seed 003
   * SG-5/SG-6: never one INSERT per event). When set, the batch path calls it instead of `handle`;
   * a single delivery, the per-event fallback after a failed batch and DLQ replays still use `handle`.
   */
  handleBatch?(
    tx: Transaction<DB>,
    events: readonly EventEnvelope<EventData<T>>[],
    ctx: ConsumerContext,
  ): Promise<void>;
  /** Overrides CONSUMER_BATCH_SIZE for this subscription (most deliveries per batch). */
  batchSize?: number;
  /** Overrides CONSUMER_CONCURRENCY for this subscription. */
  concurrency?: number;
  /** Overrides CONSUMER_MAX_DELIVERIES for this subscription. */
  maxDeliveries?: number;
}

/** Any declared consumer (what a module lists): a union over topics, each with its own payload type. */
// biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
export type AnyConsumerDeclaration = { [T in Topic]: ConsumerDeclaration<T, any> }[Topic];

/** Typed helper: infers the event payload from the topic. */
// biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
export const defineConsumer = <T extends Topic, DB = any>(
  c: ConsumerDeclaration<T, DB>,
): ConsumerDeclaration<T, DB> => c;

export interface JobContext {
  /** The wall-clock tick this run belongs to (or the manual trigger time). */
  tick: Date;
  runId: string;
  logger: Logger;
  /** Aborted when the process stops; long jobs check it between batches. */
  signal: AbortSignal;
}

/**
 * A scheduled job a service module declares (`module.jobs`). Runs once per tick across replicas
 * (G7); work in bounded keyset-paginated batches and return how many items were handled.
 */
export interface JobDeclaration {
  /** Unique within the service, e.g. `reservation-expiry`. */
  name: string;
  /** croner expression (5 or 6 fields), read in SCHEDULER_TIMEZONE. */
  cron: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a job that counts nothing may return nothing
  handler(ctx: JobContext): Promise<{ items: number } | number | undefined | void>;
  /** Readiness fails when the last success is older than this (and the job is this overdue since start). */
  maxStalenessSeconds?: number;
  /** Wait this long after start-up before the first tick (A8). */
  startupDelayMs?: number;
  /** A run still `running` after this long is considered dead and no longer blocks new ticks. */
  timeoutMs?: number;
}
