import type { Kysely, Transaction } from 'kysely';
import {
  type EventContract,
  type EventEnvelope,
  envelopeSchema,
  findContract,
} from '../../contracts/index.js';
import type { PlatformTables } from '../eventing/platform.tables.js';

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
 * Runs `handle` inside one transaction that first inserts `(subscription, event id)` into
 * `processed_events` (G4). A conflict means another delivery already applied it — or is applying it
 * right now: PostgreSQL makes the second insert wait for the first transaction and then skip, so
 * two concurrent deliveries still apply once. `after` runs in the same transaction (bookkeeping).
 */
export async function processOnce<DB>(
  db: Kysely<DB>,
  subscription: string,
  eventId: string,
  handle: (tx: Transaction<DB>) => Promise<void>,
  after?: (tx: Transaction<PlatformTables>, outcome: 'processed' | 'duplicate') => Promise<void>,
): Promise<'processed' | 'duplicate'> {
  return db.transaction().execute(async (trx) => {
    const platform = trx as unknown as Transaction<PlatformTables>;
    const inserted = await platform
      .insertInto('processed_events')
      .values({ subscription, event_id: eventId })
      .onConflict((oc) => oc.columns(['subscription', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    const outcome = inserted ? 'processed' : 'duplicate';
    if (inserted) await handle(trx);
    await after?.(platform, outcome);
    return outcome;
  });
}

/** Deletes inbox rows older than the retention (validated by config to outlast every redelivery). */
export async function purgeProcessedEvents(db: Kysely<PlatformTables>, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('processed_events')
    .where('processed_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
