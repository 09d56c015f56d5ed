import type { Kysely, Transaction } from 'kysely';
import type { AnalyticsDB } from '../data/tables.js';
import type { EventRow } from './event-rows.js';

/** 15 columns per row: 500 rows stay far below PostgreSQL's 65 535 bind parameters. */
const CHUNK = 500;

/** Raw events in multi-row INSERTs, never one statement per event (SG-5, SG-6, Fix 4). */
export async function insertEvents(
  tx: Transaction<AnalyticsDB> | Kysely<AnalyticsDB>,
  rows: readonly EventRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx
      .insertInto('events')
      .values(rows.slice(i, i + CHUNK))
      .execute();
}
