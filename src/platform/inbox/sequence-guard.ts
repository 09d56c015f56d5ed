import type { Transaction } from 'kysely';
import { sql } from 'kysely';

/** The table a consuming service keeps to remember the newest order sequence it applied. */
export interface OrderSequencesTable {
  order_sequences: { order_id: string; sequence: number; updated_at: Date };
}

/**
 * G6: claims `sequence` for the order — true when it is newer than every sequence this service
 * applied so far (and records it), false for a stale or repeated one. One statement, so two
 * concurrent deliveries of different sequences serialize on the row. The consuming service owns
 * an `order_sequences (order_id PRIMARY KEY, sequence, updated_at)` table in its schema.
 */
export async function claimOrderSequence<DB extends OrderSequencesTable>(
  tx: Transaction<DB>,
  orderId: string,
  sequence: number,
  now: Date,
): Promise<boolean> {
  const db = tx as unknown as Transaction<OrderSequencesTable>;
  const row = await db
    .insertInto('order_sequences')
    .values({ order_id: orderId, sequence, updated_at: now })
    .onConflict((oc) =>
      oc
        .column('order_id')
        .doUpdateSet({ sequence, updated_at: now })
        .where(sql.ref('order_sequences.sequence'), '<', sequence),
    )
    .returning('order_id')
    .executeTakeFirst();
  return row !== undefined;
}
