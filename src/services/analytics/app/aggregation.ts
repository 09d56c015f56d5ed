import { sql } from 'kysely';
import { table } from '../data/sql.js';
import type { AnalyticsDeps } from './deps.js';

export type Granularity = 'hour' | 'day';
const SPAN_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };

/** The start of the UTC bucket holding `at`. */
export const bucketStart = (at: Date, g: Granularity): Date =>
  new Date(Math.floor(at.getTime() / SPAN_MS[g]) * SPAN_MS[g]);

/**
 * Recomputes one bucket from the stored facts and events (SG-19: every figure from data): its rows
 * are deleted and inserted again in one transaction, so running it twice — or after late events —
 * leaves exactly the rows the data gives (idempotent, G7 runs it once per tick anyway).
 */
export async function recomputeBucket(deps: AnalyticsDeps, g: Granularity, start: Date): Promise<number> {
  const end = new Date(start.getTime() + SPAN_MS[g]);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('metric_buckets')
      .where('granularity', '=', g)
      .where('bucket_start', '=', start)
      .execute();
    const inserted = await sql`
      INSERT INTO ${table('metric_buckets')} (granularity, bucket_start, metric, dimension, currency, value, computed_at)
      SELECT ${g}, ${start}::timestamptz, metric, dimension, currency, value, ${now}::timestamptz FROM (
        SELECT 'revenue_captured' AS metric, '' AS dimension, currency::text AS currency,
          SUM(amount) FILTER (WHERE kind = 'captured') AS value
        FROM ${table('payment_facts')} WHERE occurred_at >= ${start} AND occurred_at < ${end}
          AND kind IN ('captured', 'refunded') GROUP BY currency
        UNION ALL
        SELECT 'revenue_refunded', '', currency::text, SUM(amount) FILTER (WHERE kind = 'refunded')
        FROM ${table('payment_facts')} WHERE occurred_at >= ${start} AND occurred_at < ${end}
          AND kind IN ('captured', 'refunded') GROUP BY currency
        UNION ALL
        SELECT 'revenue_net', '', currency::text,
          COALESCE(SUM(amount) FILTER (WHERE kind = 'captured'), 0)
            - COALESCE(SUM(amount) FILTER (WHERE kind = 'refunded'), 0)
        FROM ${table('payment_facts')} WHERE occurred_at >= ${start} AND occurred_at < ${end}
          AND kind IN ('captured', 'refunded') GROUP BY currency
        UNION ALL
        SELECT 'orders_placed', status, currency::text, COUNT(*)
        FROM ${table('order_facts')} WHERE placed_at >= ${start} AND placed_at < ${end} GROUP BY status, currency
        UNION ALL
        SELECT 'order_value', '', currency::text, SUM(total_amount)
        FROM ${table('order_facts')} WHERE placed_at >= ${start} AND placed_at < ${end} AND status <> 'cancelled'
        GROUP BY currency
        UNION ALL
        SELECT 'events', topic, '', COUNT(*)
        FROM ${table('events')} WHERE occurred_at >= ${start} AND occurred_at < ${end} GROUP BY topic
        UNION ALL
        SELECT 'active_sessions', '', '', COUNT(DISTINCT session_id)
        FROM ${table('events')} WHERE source = 'storefront' AND occurred_at >= ${start} AND occurred_at < ${end}
        HAVING COUNT(DISTINCT session_id) > 0
        UNION ALL
        SELECT 'shipments_delivered', carrier, '', COUNT(DISTINCT shipment_id)
        FROM ${table('shipment_steps')} WHERE status = 'delivered' AND occurred_at >= ${start} AND occurred_at < ${end}
        GROUP BY carrier
        UNION ALL
        SELECT 'returns', status, '', COUNT(*)
        FROM ${table('return_steps')} WHERE occurred_at >= ${start} AND occurred_at < ${end} GROUP BY status
      ) AS m WHERE value IS NOT NULL`.execute(tx);
    return Number(inserted.numAffectedRows ?? 0);
  });
}

/**
 * A tick recomputes the bucket that just closed and the one now open (late events of the closed
 * one are folded in at the next tick; the open one gives a partial figure that the next tick
 * completes).
 */
export async function aggregateTick(deps: AnalyticsDeps, g: Granularity, tick: Date): Promise<number> {
  const current = bucketStart(tick, g);
  const previous = new Date(current.getTime() - SPAN_MS[g]);
  return (await recomputeBucket(deps, g, previous)) + (await recomputeBucket(deps, g, current));
}
