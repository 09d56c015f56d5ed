import { type Kysely, sql } from 'kysely';
import type { EventEnvelope } from '../../contracts/index.js';
import type { PlatformTables } from '../eventing/platform.tables.js';

export interface OutboxRow {
  id: string;
  position: bigint;
  topic: string;
  key: string;
  envelope: EventEnvelope;
  attempts: number;
}

export interface OutboxStats {
  pending: number;
  failed: number;
  oldestUnpublishedAt: Date | null;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * The relay's persistence port. Tests wrap it to inject faults (e.g. a crash between publishing
 * and `markPublished`, which must lead to a redelivery, never a loss: G3).
 */
export interface OutboxStore {
  claim(limit: number, leaseMs: number, now: Date): Promise<OutboxRow[]>;
  markPublished(ids: string[], now: Date): Promise<void>;
  /** Schedules a retry with backoff; returns the ids that ran out of attempts and are now `failed`. */
  markFailed(ids: string[], error: string, now: Date, policy: RetryPolicy): Promise<string[]>;
  nextDueAt(): Promise<Date | null>;
  purgePublished(before: Date): Promise<number>;
  stats(): Promise<OutboxStats>;
  /** Operator action: puts `failed` rows back to `pending` (all, or the given ids). */
  requeueFailed(ids?: string[]): Promise<number>;
}

export function createOutboxStore(db: Kysely<PlatformTables>): OutboxStore {
  return {
    claim: async (limit, leaseMs, now) => {
      // One statement per batch (no BEGIN/COMMIT round trips): pick, check per-key order, lease.
      const rows = await db
        // G3/U-W1: SKIP LOCKED lets several relays share the work without double-claiming a row.
        .with('candidates', (qb) =>
          qb
            .selectFrom('outbox')
            .select(['id', 'position', 'key'])
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', now)
            .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
            .orderBy('position')
            .limit(limit)
            .forUpdate()
            .skipLocked(),
        )
        // Per-key order: a row waits while an earlier unpublished row of its key is not in this
        // claim (backing off, failed, or held by another relay).
        .with('blockers', (qb) =>
          qb
            .selectFrom('outbox')
            .select(['key', (eb) => eb.fn.min('position').as('first')])
            .where('key', 'in', (eb) => eb.selectFrom('candidates').select('key'))
            .where('status', '<>', 'published')
            .where('id', 'not in', (eb) => eb.selectFrom('candidates').select('id'))
            .groupBy('key'),
        )
        .updateTable('outbox')
        .set({ locked_until: new Date(now.getTime() + leaseMs) })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('candidates')
            .leftJoin('blockers', 'blockers.key', 'candidates.key')
            .select('candidates.id')
            .where((w) =>
              w.or([w('blockers.first', 'is', null), w('candidates.position', '<', w.ref('blockers.first'))]),
            ),
        )
        .returning(['id', 'position', 'topic', 'key', 'envelope', 'attempts'])
        .execute();
      return rows
        .map((r) => ({ ...r, position: BigInt(r.position) }))
        .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    },

    markPublished: async (ids, now) => {
      if (ids.length === 0) return;
      await db
        .updateTable('outbox')
        .set({ status: 'published', published_at: now, locked_until: null, last_error: null })
        .where('id', 'in', ids)
        .execute();
    },

    markFailed: async (ids, error, now, policy) => {
      if (ids.length === 0) return [];
      // U-W2: exponential backoff with equal jitter, then `failed` — never silently marked done.
      const rows = await db
        .updateTable('outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error.slice(0, 2000),
          locked_until: null,
          status: sql<
            'pending' | 'failed'
          >`case when attempts + 1 >= ${policy.maxAttempts} then 'failed' else 'pending' end`,
          next_attempt_at: sql<Date>`${now}::timestamptz + make_interval(secs => least(${policy.baseMs}::float8 * power(2, attempts), ${policy.maxMs}::float8) * (0.5 + random() / 2) / 1000)`,
        }))
        .where('id', 'in', ids)
        .returning(['id', 'status'])
        .execute();
      return rows.filter((r) => r.status === 'failed').map((r) => r.id);
    },

    nextDueAt: async () => {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.min('next_attempt_at').as('due'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return row?.due ? new Date(row.due as Date) : null;
    },

    purgePublished: async (before) => {
      const result = await db
        .deleteFrom('outbox')
        .where('status', '=', 'published')
        .where('published_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    stats: async () => {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [
          eb.fn.count<bigint>('id').filterWhere('status', '=', 'pending').as('pending'),
          eb.fn.count<bigint>('id').filterWhere('status', '=', 'failed').as('failed'),
          eb.fn.min('created_at').as('oldest'),
        ])
        .where('status', '<>', 'published')
        .executeTakeFirstOrThrow();
      return {
        pending: Number(row.pending),
        failed: Number(row.failed),
        oldestUnpublishedAt: row.oldest ? new Date(row.oldest as Date) : null,
      };
    },

    requeueFailed: async (ids) => {
      let q = db
        .updateTable('outbox')
        .set({ status: 'pending', attempts: 0, next_attempt_at: new Date(), locked_until: null })
        .where('status', '=', 'failed');
      if (ids) q = q.where('id', 'in', ids);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
