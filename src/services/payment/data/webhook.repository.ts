import type { Kysely } from 'kysely';
import type { PaymentDB } from './tables.js';

/** webhook_events: the per-event idempotency state machine of PAY-P0-02. */
type Db = Kysely<PaymentDB>;

export const webhookRepository = {
  /** Claims a new event id; false when a row for (provider, event id) already exists. */
  async insertInProgress(
    db: Db,
    e: { id: string; provider: string; eventId: string; type: string; hash: string; now: Date },
  ): Promise<boolean> {
    const row = await db
      .insertInto('webhook_events')
      .values({
        id: e.id,
        provider: e.provider,
        provider_event_id: e.eventId,
        event_type: e.type,
        request_hash: e.hash,
        status: 'in_progress',
        received_at: e.now,
        updated_at: e.now,
      })
      .onConflict((oc) => oc.columns(['provider', 'provider_event_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  },

  find: (db: Db, provider: string, eventId: string) =>
    db
      .selectFrom('webhook_events')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_event_id', '=', eventId)
      .executeTakeFirst(),

  /** Takes a failed (or abandoned in-progress) event back for another try; false if someone else did. */
  async retake(
    db: Db,
    id: string,
    expected: { status: 'failed' | 'in_progress'; updatedAt: Date },
    now: Date,
  ) {
    const res = await db
      .updateTable('webhook_events')
      .set({ status: 'in_progress', error: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', expected.status)
      .where('updated_at', '=', expected.updatedAt)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  },

  complete: (db: Db, id: string, response: Record<string, unknown>, now: Date) =>
    db
      .updateTable('webhook_events')
      .set({ status: 'completed', response: JSON.stringify(response), updated_at: now })
      .where('id', '=', id)
      .execute(),

  fail: (db: Db, id: string, error: string, now: Date) =>
    db
      .updateTable('webhook_events')
      .set({ status: 'failed', error: error.slice(0, 1000), updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'in_progress')
      .execute(),
};
