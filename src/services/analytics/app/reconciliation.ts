import { sql } from 'kysely';
import type { Money } from '../../../platform/money.js';
import { table } from '../data/sql.js';
import type { AnalyticsDeps } from './deps.js';

/** The payment figures analytics checks itself against (a slice of the payment client). */
export interface PaymentFigures {
  paymentsForOrder(orderId: string): Promise<{ capturedAmount: Money; refundedAmount: Money }[]>;
}

const DAY_MS = 86_400_000;
/** A topic whose day count falls below this share of its 7-day average is flagged (Fix 14). */
export const VOLUME_ALERT_RATIO = 0.8;

export interface ReconciliationResult {
  check: string;
  dimension: string;
  expected: bigint;
  actual: bigint;
  ok: boolean;
}

/**
 * SG-17, Fix 14: for one UTC day, (1) when the day is complete, events per topic against the topic's average
 * over the 7 days before (below 80 % → not ok), (2) money captured and refunded per currency for
 * the orders that moved money that day, analytics' facts against the payment service's own
 * figures through its client. Results replace the day's rows (idempotent).
 */
export async function reconcileDay(
  deps: AnalyticsDeps,
  payments: PaymentFigures | undefined,
  dayStart: Date,
  batchSize: number,
  options: { complete: boolean },
): Promise<ReconciliationResult[]> {
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);
  const weekStart = new Date(dayStart.getTime() - 7 * DAY_MS);
  const results: ReconciliationResult[] = [];

  const volumes = await sql<{ topic: string; day: number; week: number }>`
    SELECT topic,
      COUNT(*) FILTER (WHERE occurred_at >= ${dayStart})::int AS day,
      COUNT(*) FILTER (WHERE occurred_at < ${dayStart})::int AS week
    FROM ${table('events')} WHERE occurred_at >= ${weekStart} AND occurred_at < ${dayEnd}
    GROUP BY topic ORDER BY topic`.execute(deps.db);
  for (const v of volumes.rows) {
    // No history yet, or a day still running: nothing to compare with.
    if (v.week === 0 || !options.complete) continue;
    const average = BigInt(Math.round(v.week / 7));
    results.push({
      check: 'event_volume',
      dimension: v.topic,
      expected: average,
      actual: BigInt(v.day),
      ok: v.day >= (v.week / 7) * VOLUME_ALERT_RATIO,
    });
  }

  if (payments) {
    const ours = new Map<string, { captured: bigint; refunded: bigint }>();
    const theirs = new Map<string, { captured: bigint; refunded: bigint }>();
    const add = (m: typeof ours, currency: string, captured: bigint, refunded: bigint) => {
      const x = m.get(currency) ?? { captured: 0n, refunded: 0n };
      x.captured += captured;
      x.refunded += refunded;
      m.set(currency, x);
    };
    // Keyset over the day's orders, bounded batches (never an unbounded SELECT).
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const orders = await sql<{ order_id: string }>`
        SELECT DISTINCT order_id FROM ${table('payment_facts')}
        WHERE kind IN ('captured', 'refunded') AND occurred_at >= ${dayStart} AND occurred_at < ${dayEnd}
          AND order_id > ${after}::uuid
        ORDER BY order_id LIMIT ${batchSize}`.execute(deps.db);
      if (orders.rows.length === 0) break;
      const ids = orders.rows.map((o) => o.order_id);
      after = ids.at(-1)!;
      const facts = await sql<{ currency: string; captured: string; refunded: string }>`
        SELECT currency,
          COALESCE(SUM(amount) FILTER (WHERE kind = 'captured'), 0)::text AS captured,
          COALESCE(SUM(amount) FILTER (WHERE kind = 'refunded'), 0)::text AS refunded
        FROM ${table('payment_facts')} WHERE order_id IN (${sql.join(ids.map((id) => sql`${id}::uuid`))})
        GROUP BY currency`.execute(deps.db);
      for (const f of facts.rows) add(ours, f.currency, BigInt(f.captured), BigInt(f.refunded));
      for (const id of ids)
        for (const p of await payments.paymentsForOrder(id))
          add(
            theirs,
            p.capturedAmount.currency,
            BigInt(p.capturedAmount.amount),
            BigInt(p.refundedAmount.amount),
          );
      if (orders.rows.length < batchSize) break;
    }
    for (const currency of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
      const a = ours.get(currency) ?? { captured: 0n, refunded: 0n };
      const b = theirs.get(currency) ?? { captured: 0n, refunded: 0n };
      results.push(
        {
          check: 'payments_captured',
          dimension: currency,
          expected: b.captured,
          actual: a.captured,
          ok: a.captured === b.captured,
        },
        {
          check: 'payments_refunded',
          dimension: currency,
          expected: b.refunded,
          actual: a.refunded,
          ok: a.refunded === b.refunded,
        },
      );
    }
  }

  const day = dayStart.toISOString().slice(0, 10);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('reconciliation_results').where('day', '=', day).execute();
    if (results.length > 0)
      await tx
        .insertInto('reconciliation_results')
        .values(
          results.map((r) => ({
            day,
            check_name: r.check,
            dimension: r.dimension,
            expected: r.expected.toString(),
            actual: r.actual.toString(),
            ok: r.ok,
            computed_at: now,
          })),
        )
        .execute();
  });
  return results;
}

/** The reconciliation job's tick: yesterday in full, and today so far (payments only). */
export async function reconcileTick(
  deps: AnalyticsDeps,
  payments: PaymentFigures | undefined,
  tick: Date,
  batchSize: number,
): Promise<ReconciliationResult[]> {
  const today = new Date(Math.floor(tick.getTime() / DAY_MS) * DAY_MS);
  const yesterday = new Date(today.getTime() - DAY_MS);
  return [
    ...(await reconcileDay(deps, payments, yesterday, batchSize, { complete: true })),
    ...(await reconcileDay(deps, payments, today, batchSize, { complete: false })),
  ];
}
