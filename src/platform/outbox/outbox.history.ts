import type { Kysely } from 'kysely';
import type { EventHistory, EventHistoryPage, EventHistoryQuery } from '../../contracts/index.js';
import { afterKeyset } from '../db/keyset.js';
import { AppError } from '../errors/app-error.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';

/** A page cursor is the last row's `created_at` (epoch ms, the publisher's clock) and outbox id. */
const CURSOR_KEY = /^\d{1,15}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_LIMIT = 10_000;

const cursorOf = (at: Date, id: string): string => encodeCursor(`${at.getTime()}.${id}`);

function keyOf(cursor: string): { at: Date; id: string } {
  const key = decodeCursor(cursor, CURSOR_KEY);
  if (key === undefined)
    throw new AppError('validation', 'invalid_cursor', 'The event history cursor was not issued here');
  const dot = key.indexOf('.');
  return { at: new Date(Number(key.slice(0, dot))), id: key.slice(dot + 1) };
}

/**
 * The platform's event history of one service schema (contract `EventHistory`): its published
 * outbox rows in a creation-time window, for the given topics, oldest first, in keyset pages of
 * `(created_at, id)` served by `outbox_history_idx`. Only `published` rows: a pending row is still
 * on its way to the bus, so a reader of the history gets it from there. The relay purges published
 * rows after OUTBOX_RETENTION_HOURS, so the history reaches back that far and no further.
 */
export function createEventHistory(
  // biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
  serviceDb: Kysely<any>,
): EventHistory {
  const db = serviceDb as Kysely<PlatformTables>;
  return {
    async publishedEvents(query: EventHistoryQuery): Promise<EventHistoryPage> {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT)
        throw new AppError('validation', 'invalid_limit', `limit must be 1-${MAX_LIMIT}`);
      if (query.topics.length === 0) return { events: [], nextCursor: null };
      let q = db
        .selectFrom('outbox')
        .select(['id', 'created_at', 'envelope'])
        .where('status', '=', 'published')
        .where('created_at', '>=', query.from)
        .where('created_at', '<', query.to)
        .where('topic', 'in', [...query.topics])
        .orderBy('created_at')
        .orderBy('id')
        .limit(query.limit);
      if (query.after) q = q.where(afterKeyset('created_at', keyOf(query.after)));
      const rows = await q.execute();
      const last = rows.at(-1);
      return {
        events: rows.map((r) => r.envelope),
        nextCursor: last && rows.length === query.limit ? cursorOf(new Date(last.created_at), last.id) : null,
      };
    },
  };
}
