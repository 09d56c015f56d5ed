import { afterKeyset, type Keyset } from '../../../platform/db/keyset.js';
import { type JobDeclaration, transaction } from '../../../platform/eventing/index.js';
import type { FulfillmentDeps } from '../app/deps.js';
import { LockedOrders } from '../app/fulfillment-transition.js';

const DAY_MS = 86_400_000;

/**
 * Auto-complete (04-services.md, hourly by FULFILLMENT_AUTO_COMPLETE_CRON): a fulfillment still
 * `shipped` FULFILLMENT_AUTO_COMPLETE_DAYS after it shipped is `completed` — deliveries the carrier
 * never reported must not leave it open for ever. Keyset pages of FULFILLMENT_JOB_BATCH_SIZE on
 * (shipped_at, id), at most FULFILLMENT_JOB_MAX_PAGES per run, one transaction per page. Each row
 * goes through the locked transition (matrix guard, conditional UPDATE on `shipped`, status event),
 * re-read under the order's lock: a racing run, or a delivery completing it meanwhile, finds it
 * `completed` and leaves it, so it completes once.
 */
export function autoCompleteJob(deps: FulfillmentDeps, cron: string): JobDeclaration {
  return {
    name: 'auto-complete',
    cron,
    async handler(ctx) {
      const now = deps.clock.now();
      const shippedBefore = new Date(now.getTime() - deps.autoCompleteDays * DAY_MS);
      let completed = 0;
      let after: Keyset | undefined;
      for (let page = 0; page < deps.jobMaxPages && !ctx.signal.aborted; page++) {
        let q = deps.db
          .selectFrom('fulfillments')
          .select(['id', 'order_id', 'shipped_at'])
          .where('status', '=', 'shipped')
          .where('shipped_at', '<', shippedBefore);
        if (after) {
          const a = after;
          q = q.where(afterKeyset('shipped_at', a));
        }
        const rows = await q.orderBy('shipped_at').orderBy('id').limit(deps.jobBatchSize).execute();
        if (rows.length === 0) break;
        completed += await transaction(deps.db, async (tx) => {
          const locked = await LockedOrders.lock(
            tx,
            rows.map((r) => r.order_id),
          );
          let n = 0;
          for (const r of rows) {
            if (locked.get(r.id)?.status !== 'shipped') continue;
            await locked.transition(tx, r.id, 'completed', now);
            n++;
          }
          return n;
        });
        const last = rows[rows.length - 1]!;
        after = { at: last.shipped_at!, id: last.id };
        if (rows.length < deps.jobBatchSize) break;
      }
      if (completed > 0)
        ctx.logger.info({ completed, runId: ctx.runId }, 'shipped fulfillments auto-completed');
      return { items: completed };
    },
  };
}
