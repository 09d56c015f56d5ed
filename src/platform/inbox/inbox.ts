import type { Kysely, Transaction } from 'kysely';
import {
  type EventContract,
  type EventEnvelope,
  envelopeSchema,
  findContract,
} from '../../contracts/index.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { tracingEnabled, withSpan } from '../observability/tracing.js';
import { transaction } from '../outbox/outbox.publisher.js';

export type Decoded =
  | { ok: true; event: EventEnvelope; contract: EventContract }
  | { ok: false; error: string; eventId: string | undefined; topic: string };

/**
 * Validates an incoming envelope and its payload against the same contract the publisher used.
 * Fail-closed: anything that does not match is dead-lettered, never half-processed.
 */
export function decodeEnvelope(raw: unknown, expectedTopics?: ReadonlySet<string>): Decoded {
  const env = envelopeSchema.safeParse(raw);
  const rawObj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const eventId = typeof rawObj.id === 'string' ? rawObj.id : undefined;
  const topic = typeof rawObj.type === 'string' ? rawObj.type : 'unknown';
  if (!env.success)
    return { ok: false, error: `invalid envelope: ${issues(env.error.issues)}`, eventId, topic };
  if (expectedTopics && !expectedTopics.has(env.data.type))
    return { ok: false, error: `topic ${env.data.type} is not subscribed here`, eventId, topic };
  const contract = findContract(env.data.type, env.data.schemaversion);
  if (!contract)
    return {
      ok: false,
      error: `no contract for ${env.data.type} v${env.data.schemaversion}`,
      eventId,
      topic,
    };
  const data = contract.schema.safeParse(env.data.data);
  if (!data.success)
    return {
      ok: false,
      error: `payload does not match ${contract.topic} v${contract.version}: ${issues(data.error.issues)}`,
      eventId,
      topic,
    };
  return { ok: true, event: { ...env.data, data: data.data }, contract };
}

const issues = (list: { path: PropertyKey[]; message: string }[]): string =>
  list.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');

/**
 * Records a batch of event ids in `processed_events` with ONE statement and returns the ids that
 * are new; the others were already applied (G4). A conflict with a delivery being applied right now
 * waits for its transaction: PostgreSQL makes the second insert wait for the first and then skip,
 * so two concurrent deliveries still apply once. Ids are inserted in sorted order so two batches
 * sharing ids take their locks in the same order (no deadlock between replicas).
 */
export async function recordProcessed(
  tx: Transaction<PlatformTables>,
  subscription: string,
  eventIds: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(eventIds)].sort();
  const inserted = await tx
    .insertInto('processed_events')
    .values(unique.map((event_id) => ({ subscription, event_id })))
    .onConflict((oc) => oc.columns(['subscription', 'event_id']).doNothing())
    .returning('event_id')
    .execute();
  return new Set(inserted.map((r) => r.event_id));
}

/**
 * The inbox step inside a transaction the caller holds (a replay of history, e.g. the analytics
 * backfill): records the ids under `subscription` and returns the events new to it — the first copy
 * of each, in the given order — so the caller applies exactly what the bus path would have applied.
 */
export async function freshEvents<E extends { id: string }>(
  tx: Transaction<PlatformTables>,
  subscription: string,
  events: readonly E[],
): Promise<E[]> {
  if (events.length === 0) return [];
  const fresh = await recordProcessed(
    tx,
    subscription,
    events.map((e) => e.id),
  );
  return events.filter((e) => fresh.delete(e.id));
}

export type InboxOutcome = 'processed' | 'duplicate';

/**
 * Runs `handle` for each event that is new to the subscription, in the given order, inside ONE
 * transaction that first records every id (`recordProcessed`): the effects and the "done" marks
 * commit together (G4). An id repeated in the batch, or already recorded, is a duplicate and is
 * skipped. `after` runs in the same transaction (bookkeeping). Any failure rolls back the batch.
 */
export async function processBatchOnce<DB, E extends { id: string }>(
  db: Kysely<DB>,
  subscription: string,
  events: readonly E[],
  handle: (tx: Transaction<DB>, event: E) => Promise<void>,
  after?: (tx: Transaction<PlatformTables>, outcomes: InboxOutcome[]) => Promise<void>,
): Promise<InboxOutcome[]> {
  if (tracingEnabled())
    return withSpan('db.transaction inbox', () => runBatch(db, subscription, events, handle, after), {
      attributes: {
        'messaging.consumer.group.name': subscription,
        'messaging.batch.message_count': events.length,
      },
    });
  return runBatch(db, subscription, events, handle, after);
}

function runBatch<DB, E extends { id: string }>(
  db: Kysely<DB>,
  subscription: string,
  events: readonly E[],
  handle: (tx: Transaction<DB>, event: E) => Promise<void>,
  after?: (tx: Transaction<PlatformTables>, outcomes: InboxOutcome[]) => Promise<void>,
): Promise<InboxOutcome[]> {
  // The outbox's `transaction()`: events the handlers publish wake the relay after the commit.
  return transaction(db, async (trx) => {
    const platform = trx as unknown as Transaction<PlatformTables>;
    const fresh = await recordProcessed(
      platform,
      subscription,
      events.map((e) => e.id),
    );
    const outcomes: InboxOutcome[] = [];
    for (const event of events) {
      // delete: a second copy of the id later in the same batch is a duplicate.
      if (!fresh.delete(event.id)) {
        outcomes.push('duplicate');
        continue;
      }
      await handle(trx, event);
      outcomes.push('processed');
    }
    await after?.(platform, outcomes);
    return outcomes;
  });
}

/** One event through the inbox: `processBatchOnce` with a batch of one. */
export async function processOnce<DB>(
  db: Kysely<DB>,
  subscription: string,
  eventId: string,
  handle: (tx: Transaction<DB>) => Promise<void>,
  after?: (tx: Transaction<PlatformTables>, outcome: InboxOutcome) => Promise<void>,
): Promise<InboxOutcome> {
  const [outcome] = await processBatchOnce(
    db,
    subscription,
    [{ id: eventId }],
    (tx) => handle(tx),
    after ? (tx, outcomes) => after(tx, outcomes[0]!) : undefined,
  );
  return outcome!;
}

/** Deletes inbox rows older than the retention (validated by config to outlast every redelivery). */
export async function purgeProcessedEvents(db: Kysely<PlatformTables>, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('processed_events')
    .where('processed_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
