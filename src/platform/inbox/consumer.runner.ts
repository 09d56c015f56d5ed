import type { Kysely } from 'kysely';
import type { EventEnvelope } from '../../contracts/index.js';
import type { BatchHandler, Delivery, DeliveryHandler, Disposition } from '../bus/bus.types.js';
import type { Clock } from '../clock.js';
import { AppError, isAppError } from '../errors/app-error.js';
import { backoffMs, errorMessage, sleep } from '../eventing/backoff.js';
import type { AnyConsumerDeclaration, ConsumerContext } from '../eventing/declarations.js';
import type { EventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import type { Logger } from '../logging/logger.js';
import { bindToActiveContext, SpanKind, tracingEnabled, withSpan } from '../observability/tracing.js';
import { addDeadLetter, clearFailures, findDeadLetter, recordFailure } from './dead-letter.store.js';
import { type Decoded, decodeEnvelope, type InboxOutcome, processBatchOnce, processOnce } from './inbox.js';

export interface ConsumerSettings {
  /** In-place retry pauses, e.g. [100, 200, 400]: one attempt more than entries. */
  retryDelaysMs: readonly number[];
  redeliveryBaseMs: number;
  redeliveryMaxMs: number;
  maxDeliveries: number;
}

export interface ConsumerRunnerDeps {
  service: string;
  /** Kysely bound to the consuming service's schema. */
  // biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
  db: Kysely<any>;
  consumer: AnyConsumerDeclaration;
  settings: ConsumerSettings;
  logger: Logger;
  metrics: EventingMetrics;
  clock: Clock;
}

/** Errors no retry can fix: the DLQ at once (spec: permanent errors). */
const isPermanent = (err: unknown): boolean =>
  isAppError(err) && (err.kind === 'validation' || err.kind === 'unprocessable');

const ACK: Disposition = { kind: 'ack' };

/** What a handler gets as `ctx`; the child logger is made only when the handler logs. */
function consumerContext(
  deps: Pick<ConsumerRunnerDeps, 'consumer' | 'logger'>,
  event: EventEnvelope,
  deliveryCount: number,
  committed: (() => void)[],
): ConsumerContext {
  const { consumer, logger } = deps;
  let child: Logger | undefined;
  return {
    subscription: consumer.subscription,
    deliveryCount,
    get logger(): Logger {
      child ??= logger.child({ subscription: consumer.subscription, eventId: event.id });
      return child;
    },
    // Bound to the handler's trace context, so the follow-up's spans stay in the event's trace.
    afterCommit: (work) => void committed.push(bindToActiveContext(work)),
  };
}

/** Runs the follow-ups handlers registered with `ctx.afterCommit`, once their transaction committed. */
function runCommitted(committed: readonly (() => void)[], logger: Logger): void {
  for (const work of committed) {
    try {
      work();
    } catch (err) {
      // The event is applied and acked; the follow-up's owner (a job) picks up what it missed.
      logger.error({ err }, 'after-commit follow-up failed');
    }
  }
}

/**
 * Turns a declared consumer into the bus's handlers: validate (fail-closed), run through the inbox
 * (G4), retry in place, then ask for redelivery with growing delay, and at the last delivery store
 * a dead letter (G5). It acks only what is committed: processed, duplicate or dead-lettered. If
 * even the bookkeeping fails it throws, and the broker redelivers (G3).
 */
function createConsumerRunner(deps: ConsumerRunnerDeps) {
  const { consumer, settings, clock, service } = deps;
  const subscription = consumer.subscription;
  const maxDeliveries = consumer.maxDeliveries ?? settings.maxDeliveries;
  const logger = deps.logger.child({ service, subscription });
  const topics = new Set([consumer.topic]);
  const platformDb = deps.db as Kysely<PlatformTables>;
  // Label lookups once per subscription, not per event.
  const handled = {
    processed: deps.metrics.consumerHandled.labels({ subscription, outcome: 'processed' }),
    duplicate: deps.metrics.consumerHandled.labels({ subscription, outcome: 'duplicate' }),
    retry: deps.metrics.consumerHandled.labels({ subscription, outcome: 'retry' }),
    dead_lettered: deps.metrics.consumerHandled.labels({ subscription, outcome: 'dead_lettered' }),
    skipped: deps.metrics.consumerHandled.labels({ subscription, outcome: 'skipped' }),
  };
  const accepts = consumer.accepts as ((event: EventEnvelope) => boolean) | undefined;
  /** A refused event: counted, and in the event's trace as a consumer span marked skipped. */
  const skip = async (event: EventEnvelope): Promise<void> => {
    handled.skipped.inc();
    if (tracingEnabled())
      await traced(event, subscription, async () => undefined, { 'orderline.consumer.skipped': true });
  };
  const deadLettered = deps.metrics.deadLettered.labels({ subscription });
  const redeliveries = deps.metrics.consumerRedeliveries.labels({ subscription });
  const lag = deps.metrics.consumerLag.labels({ subscription });
  const duration = deps.metrics.consumerHandlerDuration.labels({ subscription });

  const observe = (event: EventEnvelope, deliveryCount: number) => {
    if (deliveryCount > 1) redeliveries.inc();
    lag.set(Math.max(0, (clock.now().getTime() - Date.parse(event.time)) / 1000));
  };

  const deadLetterInvalid = async (
    delivery: Delivery,
    decoded: Extract<Decoded, { ok: false }>,
  ): Promise<Disposition> => {
    const now = clock.now();
    await addDeadLetter(platformDb, {
      subscription,
      eventId: decoded.eventId ?? `invalid-${now.getTime()}-${Math.random().toString(36).slice(2)}`,
      topic: decoded.topic,
      envelope: delivery.envelope,
      error: decoded.error,
      stack: undefined,
      attempts: 1,
      firstFailedAt: now,
      lastFailedAt: now,
    });
    deadLettered.inc();
    handled.dead_lettered.inc();
    logger.error({ eventId: decoded.eventId, err: decoded.error }, 'invalid event dead-lettered');
    return ACK;
  };

  /** The per-event path: in-place retries, then redelivery with backoff, then the DLQ. */
  const handleEvent = async (event: EventEnvelope, delivery: Delivery): Promise<Disposition> => {
    let lastError: unknown;
    let attempts = 0;
    for (let i = 0; i <= settings.retryDelaysMs.length; i++) {
      attempts++;
      const end = duration.startTimer();
      try {
        const outcome = await runHandler(
          deps,
          event,
          delivery.deliveryCount,
          delivery.deliveryCount > 1 || i > 0,
        );
        end();
        handled[outcome].inc();
        return ACK;
      } catch (err) {
        end();
        lastError = err;
        logger.warn(
          { eventId: event.id, attempt: attempts, delivery: delivery.deliveryCount, err },
          'handler failed',
        );
        if (isPermanent(err)) break;
        const pause = settings.retryDelaysMs[i];
        if (pause !== undefined) await sleep(pause);
      }
    }

    const now = clock.now();
    const failure = await recordFailure(platformDb, {
      subscription,
      eventId: event.id,
      attempts,
      error: errorMessage(lastError),
      at: now,
    });
    if (delivery.deliveryCount >= maxDeliveries || isPermanent(lastError)) {
      await addDeadLetter(platformDb, {
        subscription,
        eventId: event.id,
        topic: event.type,
        envelope: delivery.envelope,
        error: errorMessage(lastError),
        stack: lastError instanceof Error ? lastError.stack : undefined,
        attempts: failure.attempts,
        firstFailedAt: failure.firstFailedAt,
        lastFailedAt: now,
      });
      deadLettered.inc();
      handled.dead_lettered.inc();
      logger.error({ eventId: event.id, attempts: failure.attempts, err: lastError }, 'event dead-lettered');
      return ACK;
    }
    handled.retry.inc();
    return {
      kind: 'retry',
      delayMs: backoffMs(delivery.deliveryCount, settings.redeliveryBaseMs, settings.redeliveryMaxMs),
    };
  };

  const handleDelivery: DeliveryHandler = async (delivery) => {
    const decoded = decodeEnvelope(delivery.envelope, topics);
    if (!decoded.ok) return deadLetterInvalid(delivery, decoded);
    observe(decoded.event, delivery.deliveryCount);
    if (accepts && !accepts(decoded.event)) {
      await skip(decoded.event);
      return ACK;
    }
    return handleEvent(decoded.event, delivery);
  };

  /**
   * A batch: invalid envelopes to the DLQ, then every valid event in delivery order inside ONE
   * inbox transaction (one inbox statement for the batch). If that transaction fails, nothing of it
   * committed: the batch's events go the per-event path one at a time, in order, so a poison event
   * is retried and dead-lettered alone while its neighbours are applied.
   */
  const handleBatch: BatchHandler = async (deliveries) => {
    if (deliveries.length === 1) return [await handleDelivery(deliveries[0]!)];
    const dispositions: Disposition[] = new Array(deliveries.length);
    const valid: { index: number; id: string; event: EventEnvelope; delivery: Delivery }[] = [];
    for (let index = 0; index < deliveries.length; index++) {
      const delivery = deliveries[index]!;
      const decoded = decodeEnvelope(delivery.envelope, topics);
      if (!decoded.ok) dispositions[index] = await deadLetterInvalid(delivery, decoded);
      else {
        observe(decoded.event, delivery.deliveryCount);
        if (accepts && !accepts(decoded.event)) {
          await skip(decoded.event);
          dispositions[index] = ACK;
        } else valid.push({ index, id: decoded.event.id, event: decoded.event, delivery });
      }
    }
    if (valid.length === 0) return dispositions;
    const redelivered = valid.filter((v) => v.delivery.deliveryCount > 1).map((v) => v.id);
    const end = duration.startTimer();
    const committed: (() => void)[] = [];
    // With handleBatch the new events are collected and handed over once, in the same transaction.
    const fresh: EventEnvelope[] = [];
    try {
      const outcomes = await processBatchOnce(
        deps.db,
        subscription,
        valid,
        consumer.handleBatch
          ? async (_tx, v) => void fresh.push(v.event)
          : (tx, v) => {
              const handle = () =>
                consumer.handle(
                  tx,
                  v.event as never,
                  consumerContext(deps, v.event, v.delivery.deliveryCount, committed),
                );
              return tracingEnabled() ? traced(v.event, subscription, handle) : handle();
            },
        async (tx) => {
          if (consumer.handleBatch && fresh.length > 0)
            await consumer.handleBatch(
              tx as never,
              fresh as never,
              consumerContext(deps, fresh[0]!, valid[0]!.delivery.deliveryCount, committed),
            );
          if (redelivered.length > 0) await clearFailures(tx, subscription, redelivered);
        },
      );
      end();
      runCommitted(committed, logger);
      for (const outcome of outcomes) handled[outcome].inc();
      for (const v of valid) dispositions[v.index] = ACK;
    } catch (err) {
      end();
      logger.warn({ size: valid.length, err }, 'batch transaction failed; handling its events one at a time');
      for (const v of valid) dispositions[v.index] = await handleEvent(v.event, v.delivery);
    }
    return dispositions;
  };

  return { handleDelivery, handleBatch };
}

/** One delivery per call (tests, and any bus subscription that does not batch). */
export const createDeliveryHandler = (deps: ConsumerRunnerDeps): DeliveryHandler =>
  createConsumerRunner(deps).handleDelivery;

/** Batches of deliveries (what the eventing layer subscribes with). */
export const createBatchHandler = (deps: ConsumerRunnerDeps): BatchHandler =>
  createConsumerRunner(deps).handleBatch;

async function runHandler(
  deps: Pick<ConsumerRunnerDeps, 'consumer' | 'logger' | 'db'>,
  event: EventEnvelope,
  deliveryCount: number,
  hadFailures: boolean,
  after?: Parameters<typeof processOnce>[4],
): Promise<InboxOutcome> {
  const { consumer } = deps;
  const committed: (() => void)[] = [];
  const run = () =>
    processOnce(
      deps.db,
      consumer.subscription,
      event.id,
      // A replayed dead letter its consumer no longer accepts is recorded as done, not handled.
      (tx) =>
        consumer.accepts && !consumer.accepts(event as never)
          ? Promise.resolve()
          : consumer.handle(tx, event as never, consumerContext(deps, event, deliveryCount, committed)),
      async (tx, outcome) => {
        if (hadFailures) await clearFailures(tx, consumer.subscription, [event.id]);
        await after?.(tx, outcome);
      },
    );
  const outcome = await (tracingEnabled() ? traced(event, consumer.subscription, run) : run());
  runCommitted(committed, deps.logger);
  return outcome;
}

/** The handling of one event as a consumer span continuing the event's trace (its traceparent). */
function traced<R>(
  event: EventEnvelope,
  subscription: string,
  fn: () => Promise<R>,
  extra: Record<string, boolean> = {},
): Promise<R> {
  return withSpan(`${event.type} process`, fn, {
    kind: SpanKind.CONSUMER,
    parent: event.traceparent,
    attributes: {
      'messaging.destination.name': event.type,
      'messaging.consumer.group.name': subscription,
      'messaging.message.id': event.id,
      ...extra,
    },
  });
}

/**
 * Re-runs a dead letter's handler through the inbox (G4: it still applies at most once). The
 * dead letter is marked `replayed` in the handler's own transaction; a failure keeps it `open`
 * with the new error and is reported to the caller.
 */
export async function replayDeadLetter(
  deps: Omit<ConsumerRunnerDeps, 'consumer' | 'settings'> & { consumers: readonly AnyConsumerDeclaration[] },
  id: string,
): Promise<{ outcome: InboxOutcome }> {
  const db = deps.db as Kysely<PlatformTables>;
  const letter = await findDeadLetter(db, deps.service, id);
  if (!letter) throw new AppError('not_found', 'not_found', `Dead letter ${id} was not found`);
  if (letter.status !== 'open')
    throw new AppError('conflict', 'dead_letter_not_open', `Dead letter ${id} is already ${letter.status}`);
  const consumer = deps.consumers.find((c) => c.subscription === letter.subscription);
  if (!consumer)
    throw new AppError(
      'conflict',
      'subscription_unknown',
      `No consumer ${letter.subscription} is registered in ${deps.service}`,
    );
  const decoded = decodeEnvelope(letter.envelope, new Set([consumer.topic]));
  const now = deps.clock.now();
  const fail = async (error: string, stack?: string) => {
    await db
      .updateTable('dead_letters')
      .set((eb) => ({ error, stack: stack ?? null, attempts: eb('attempts', '+', 1), last_failed_at: now }))
      .where('id', '=', id)
      .execute();
    return new AppError('conflict', 'replay_failed', `Replay of dead letter ${id} failed: ${error}`);
  };
  if (!decoded.ok) throw await fail(decoded.error);
  try {
    const outcome = await runHandler({ ...deps, consumer }, decoded.event, letter.attempts + 1, true, (tx) =>
      tx
        .updateTable('dead_letters')
        .set({ status: 'replayed', resolved_at: now })
        .where('id', '=', id)
        .execute()
        .then(() => undefined),
    );
    deps.logger.info({ service: deps.service, id, outcome }, 'dead letter replayed');
    return { outcome };
  } catch (err) {
    throw await fail(errorMessage(err), err instanceof Error ? err.stack : undefined);
  }
}
