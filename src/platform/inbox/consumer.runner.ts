import type { Kysely } from 'kysely';
import type { EventEnvelope } from '../../contracts/index.js';
import type { DeliveryHandler, Disposition } from '../bus/bus.types.js';
import type { Clock } from '../clock.js';
import { AppError, isAppError } from '../errors/app-error.js';
import { backoffMs, errorMessage, sleep } from '../eventing/backoff.js';
import type { AnyConsumerDeclaration } from '../eventing/declarations.js';
import type { EventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import type { Logger } from '../logging/logger.js';
import { addDeadLetter, clearFailure, findDeadLetter, recordFailure } from './dead-letter.store.js';
import { decodeEnvelope, processOnce } from './inbox.js';

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

/**
 * Turns a declared consumer into the bus's delivery handler: validate (fail-closed), run through
 * the inbox (G4), retry in place, then ask for redelivery with growing delay, and at the last
 * delivery store a dead letter (G5). It acks only what is committed: processed, duplicate or
 * dead-lettered. If even the bookkeeping fails it throws, and the broker redelivers (G3).
 */
export function createDeliveryHandler(deps: ConsumerRunnerDeps): DeliveryHandler {
  const { consumer, settings, metrics, clock, service } = deps;
  const subscription = consumer.subscription;
  const maxDeliveries = consumer.maxDeliveries ?? settings.maxDeliveries;
  const logger = deps.logger.child({ service, subscription });
  const topics = new Set([consumer.topic]);
  const platformDb = deps.db as Kysely<PlatformTables>;

  return async (delivery): Promise<Disposition> => {
    const decoded = decodeEnvelope(delivery.envelope, topics);
    if (!decoded.ok) {
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
      metrics.deadLettered.inc({ subscription });
      metrics.consumerHandled.inc({ subscription, outcome: 'dead_lettered' });
      logger.error({ eventId: decoded.eventId, err: decoded.error }, 'invalid event dead-lettered');
      return { kind: 'ack' };
    }
    const event = decoded.event;
    if (delivery.deliveryCount > 1) metrics.consumerRedeliveries.inc({ subscription });
    metrics.consumerLag.set(
      { subscription },
      Math.max(0, (clock.now().getTime() - Date.parse(event.time)) / 1000),
    );

    let lastError: unknown;
    let attempts = 0;
    for (let i = 0; i <= settings.retryDelaysMs.length; i++) {
      attempts++;
      const end = metrics.consumerHandlerDuration.startTimer({ subscription });
      try {
        const outcome = await runHandler(
          deps,
          event,
          delivery.deliveryCount,
          delivery.deliveryCount > 1 || i > 0,
        );
        end();
        metrics.consumerHandled.inc({ subscription, outcome });
        return { kind: 'ack' };
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
      metrics.deadLettered.inc({ subscription });
      metrics.consumerHandled.inc({ subscription, outcome: 'dead_lettered' });
      logger.error({ eventId: event.id, attempts: failure.attempts, err: lastError }, 'event dead-lettered');
      return { kind: 'ack' };
    }
    metrics.consumerHandled.inc({ subscription, outcome: 'retry' });
    return {
      kind: 'retry',
      delayMs: backoffMs(delivery.deliveryCount, settings.redeliveryBaseMs, settings.redeliveryMaxMs),
    };
  };
}

function runHandler(
  deps: ConsumerRunnerDeps,
  event: EventEnvelope,
  deliveryCount: number,
  hadFailures: boolean,
  after?: Parameters<typeof processOnce>[4],
): Promise<'processed' | 'duplicate'> {
  const { consumer, logger } = deps;
  return processOnce(
    deps.db,
    consumer.subscription,
    event.id,
    (tx) =>
      consumer.handle(tx, event as never, {
        subscription: consumer.subscription,
        deliveryCount,
        logger: logger.child({ subscription: consumer.subscription, eventId: event.id }),
      }),
    async (tx, outcome) => {
      if (hadFailures) await clearFailure(tx, consumer.subscription, event.id);
      await after?.(tx, outcome);
    },
  );
}

/**
 * Re-runs a dead letter's handler through the inbox (G4: it still applies at most once). The
 * dead letter is marked `replayed` in the handler's own transaction; a failure keeps it `open`
 * with the new error and is reported to the caller.
 */
export async function replayDeadLetter(
  deps: Omit<ConsumerRunnerDeps, 'consumer' | 'settings'> & { consumers: readonly AnyConsumerDeclaration[] },
  id: string,
): Promise<{ outcome: 'processed' | 'duplicate' }> {
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
    const outcome = await runHandler(
      { ...deps, consumer, settings: undefined as never },
      decoded.event,
      letter.attempts + 1,
      true,
      (tx) =>
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
