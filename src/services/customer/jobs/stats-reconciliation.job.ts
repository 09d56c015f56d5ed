import { sql } from 'kysely';
import type { JobContext, JobDeclaration } from '../../../platform/eventing/index.js';
import type { CustomerOrderAggregate } from '../../order/contract/client.js';
import type { CustomerDeps } from '../app/deps.js';
import { evaluateCustomerSegments } from '../app/order-stats.js';
import type { CustomerStatsRow } from '../data/tables.js';

/** Upper bound of customer pages per run, so one run never holds the scheduler for long. */
const MAX_BATCHES = 500;

type Field = 'orders' | 'spent' | 'returns' | 'last_order_at';

/**
 * Hourly reconciliation of the order statistics against the order service's per-customer
 * aggregates (C-W1, C12: a real job). Drift (a lost or dead-lettered event, a refund outside a
 * return) is corrected in the correction columns, so later events keep applying on top; every
 * corrected field is counted in `orderline_customer_stats_corrections_total`. Figures that changed
 * within CUSTOMER_STATS_SETTLE_MINUTES on either side are left for the next run (events in flight).
 */
export function statsReconciliationJob(deps: CustomerDeps, cron: string): JobDeclaration {
  return {
    name: 'stats-reconciliation',
    cron,
    maxStalenessSeconds: 3 * 3600,
    startupDelayMs: 120_000,
    async handler(ctx: JobContext) {
      const now = deps.clock.now();
      const settleBefore = new Date(now.getTime() - deps.settings.statsSettleMinutes * 60_000);
      const size = deps.settings.batchSize;
      let after: string | null = null;
      let corrected = 0;
      let checked = 0;
      for (let batch = 0; batch < MAX_BATCHES && !ctx.signal.aborted; batch++) {
        let q = deps.db
          .selectFrom('customers')
          .select('id')
          .where('status', '<>', 'deleted')
          .orderBy('id')
          .limit(Math.min(size, 1000));
        if (after !== null) q = q.where('id', '>', after);
        const ids = (await q.execute()).map((r) => r.id);
        if (ids.length === 0) break;
        const aggregates = await deps.orders.customerAggregates(ids);
        const stats = await deps.db
          .selectFrom('customer_stats')
          .selectAll()
          .where('customer_id', 'in', ids)
          .execute();
        checked += ids.length;
        corrected += await reconcileBatch(deps, aggregates, stats, settleBefore, now);
        after = ids.at(-1)!;
        if (ids.length < Math.min(size, 1000)) break;
      }
      ctx.logger.info({ checked, corrected }, 'customer stats reconciled');
      return { items: corrected };
    },
  };
}

const key = (customerId: string, currency: string) => `${customerId}/${currency}`;

async function reconcileBatch(
  deps: CustomerDeps,
  aggregates: readonly CustomerOrderAggregate[],
  stats: readonly CustomerStatsRow[],
  settleBefore: Date,
  now: Date,
): Promise<number> {
  const ours = new Map(stats.map((s) => [key(s.customer_id, s.currency), s]));
  const theirs = new Map(aggregates.map((a) => [key(a.customerId, a.currency), a]));
  let corrected = 0;
  for (const k of new Set([...ours.keys(), ...theirs.keys()])) {
    const s = ours.get(k);
    const a = theirs.get(k);
    if (s && s.updated_at > settleBefore) continue;
    if (a && new Date(a.lastChangeAt) > settleBefore) continue;
    const [customerId, currency] = k.split('/') as [string, string];
    const want = {
      orders: a?.orders ?? 0,
      spent: BigInt(a?.spent ?? '0'),
      returns: a?.returns ?? 0,
      lastOrderAt: a?.lastOrderAt ? new Date(a.lastOrderAt) : null,
    };
    const have = {
      orders: s?.eff_orders ?? 0,
      spent: BigInt(s?.eff_spent ?? '0'),
      returns: s?.eff_returns ?? 0,
      lastOrderAt: s?.eff_last_order_at ?? null,
    };
    const drift: Field[] = [];
    if (want.orders !== have.orders) drift.push('orders');
    if (want.spent !== have.spent) drift.push('spent');
    if (want.returns !== have.returns) drift.push('returns');
    // Only a later last order can be taken over (the effective value is the later of both).
    if (want.lastOrderAt && (!have.lastOrderAt || want.lastOrderAt > have.lastOrderAt))
      drift.push('last_order_at');
    if (drift.length === 0) continue;
    await deps.db.transaction().execute(async (tx) => {
      // Corrections are relative to the derived counters as they are now (locked by the upsert).
      await tx
        .insertInto('customer_stats')
        .values({
          customer_id: customerId,
          currency,
          orders_correction: want.orders,
          spent_correction: want.spent,
          returns_correction: want.returns,
          reconciled_last_order_at: want.lastOrderAt,
          updated_at: now,
          reconciled_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['customer_id', 'currency']).doUpdateSet({
            orders_correction: sql`${want.orders} - customer_stats.total_orders`,
            spent_correction: sql`${want.spent}::bigint - customer_stats.total_spent`,
            returns_correction: sql`${want.returns} - customer_stats.returns`,
            reconciled_last_order_at: sql`GREATEST(customer_stats.reconciled_last_order_at, ${want.lastOrderAt}::timestamptz)`,
            reconciled_at: now,
          }),
        )
        .execute();
      await evaluateCustomerSegments(tx, customerId, now);
    });
    for (const field of drift) deps.metrics.statsCorrections.inc({ field });
    deps.logger.warn({ customerId, currency, fields: drift }, 'customer stats drift corrected');
    corrected++;
  }
  return corrected;
}
