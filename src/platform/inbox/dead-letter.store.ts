import type { Kysely, Selectable, Transaction } from 'kysely';
import { AppError, notFound } from '../errors/app-error.js';
import type { DeadLetterStatus, DeadLettersTable, PlatformTables } from '../eventing/platform.tables.js';
import { newId } from '../ids.js';

export interface DeadLetter {
  id: string;
  service: string;
  subscription: string;
  eventId: string;
  topic: string;
  envelope: unknown;
  error: string;
  stack: string | null;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  status: DeadLetterStatus;
  resolvedAt: Date | null;
}

type Db = Kysely<PlatformTables> | Transaction<PlatformTables>;

/** Counts a failed delivery (all its in-place attempts) so attempts and first failure survive redeliveries. */
export async function recordFailure(
  db: Db,
  failure: { subscription: string; eventId: string; attempts: number; error: string; at: Date },
): Promise<{ attempts: number; firstFailedAt: Date }> {
  const row = await db
    .insertInto('consumer_failures')
    .values({
      subscription: failure.subscription,
      event_id: failure.eventId,
      attempts: failure.attempts,
      first_failed_at: failure.at,
      last_failed_at: failure.at,
      last_error: failure.error.slice(0, 4000),
    })
    .onConflict((oc) =>
      oc.columns(['subscription', 'event_id']).doUpdateSet((eb) => ({
        attempts: eb('consumer_failures.attempts', '+', eb.ref('excluded.attempts')),
        last_failed_at: eb.ref('excluded.last_failed_at'),
        last_error: eb.ref('excluded.last_error'),
      })),
    )
    .returning(['attempts', 'first_failed_at'])
    .executeTakeFirstOrThrow();
  return { attempts: row.attempts, firstFailedAt: new Date(row.first_failed_at) };
}

/** Forgets the failures of events that finally succeeded (or were dead-lettered): one statement. */
export async function clearFailures(
  db: Db,
  subscription: string,
  eventIds: readonly string[],
): Promise<void> {
  await db
    .deleteFrom('consumer_failures')
    .where('subscription', '=', subscription)
    .where('event_id', 'in', eventIds)
    .execute();
}

/** Stores a dead letter (G5); a second dead-lettering of the same event reopens and updates it. */
export async function addDeadLetter(
  db: Kysely<PlatformTables>,
  letter: {
    subscription: string;
    eventId: string;
    topic: string;
    envelope: unknown;
    error: string;
    stack: string | undefined;
    attempts: number;
    firstFailedAt: Date;
    lastFailedAt: Date;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('dead_letters')
      .values({
        id: newId(),
        subscription: letter.subscription,
        event_id: letter.eventId,
        topic: letter.topic,
        envelope: JSON.stringify(letter.envelope ?? null),
        error: letter.error.slice(0, 4000),
        stack: letter.stack?.slice(0, 8000) ?? null,
        attempts: letter.attempts,
        first_failed_at: letter.firstFailedAt,
        last_failed_at: letter.lastFailedAt,
        resolved_at: null,
      })
      .onConflict((oc) =>
        oc.columns(['subscription', 'event_id']).doUpdateSet((eb) => ({
          status: 'open',
          error: eb.ref('excluded.error'),
          stack: eb.ref('excluded.stack'),
          attempts: eb('dead_letters.attempts', '+', eb.ref('excluded.attempts')),
          last_failed_at: eb.ref('excluded.last_failed_at'),
          resolved_at: null,
        })),
      )
      .execute();
    await clearFailures(trx, letter.subscription, [letter.eventId]);
  });
}

const toDeadLetter = (service: string, r: Selectable<DeadLettersTable>): DeadLetter => ({
  id: r.id,
  service,
  subscription: r.subscription,
  eventId: r.event_id,
  topic: r.topic,
  envelope: r.envelope,
  error: r.error,
  stack: r.stack,
  attempts: r.attempts,
  firstFailedAt: new Date(r.first_failed_at),
  lastFailedAt: new Date(r.last_failed_at),
  status: r.status,
  resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
});

export async function listDeadLetters(
  db: Kysely<PlatformTables>,
  service: string,
  query: { status?: DeadLetterStatus; limit: number; subscription?: string },
): Promise<DeadLetter[]> {
  let q = db
    .selectFrom('dead_letters')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.subscription) q = q.where('subscription', '=', query.subscription);
  return (await q.execute()).map((r) => toDeadLetter(service, r));
}

export async function findDeadLetter(
  db: Kysely<PlatformTables>,
  service: string,
  id: string,
): Promise<DeadLetter | undefined> {
  const row = await db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDeadLetter(service, row) : undefined;
}

export async function discardDeadLetter(db: Kysely<PlatformTables>, id: string, at: Date): Promise<void> {
  const result = await db
    .updateTable('dead_letters')
    .set({ status: 'discarded', resolved_at: at })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const exists = await db
      .selectFrom('dead_letters')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!exists) throw notFound('Dead letter', id);
    throw new AppError('conflict', 'dead_letter_not_open', `Dead letter ${id} is already ${exists.status}`);
  }
}

export async function openDeadLetterCount(db: Kysely<PlatformTables>): Promise<number> {
  const row = await db
    .selectFrom('dead_letters')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
