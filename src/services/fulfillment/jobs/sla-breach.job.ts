import { afterKeyset } from '../../../platform/db/keyset.js';
import { type JobDeclaration, transaction } from '../../../platform/eventing/index.js';
import type { FulfillmentDeps } from '../app/deps.js';
import { ACTIVE_STATUSES } from '../domain/fulfillment-status.js';

/**
 * SLA breach detector (04-services.md, every 30 min by FULFILLMENT_SLA_BREACH_CRON): active
 * fulfillments whose `sla_due_at` passed get `sla_breached_at` and one
 * `fulfillments.fulfillment.sla_breach` each. Keyset pages of FULFILLMENT_JOB_BATCH_SIZE on
 * (sla_due_at, id), at most FULFILLMENT_JOB_MAX_PAGES per run; the conditional UPDATE
 * (`sla_breached_at IS NULL`, still active) makes a racing run report a fulfillment once.
 */
export function slaBreachJob(deps: FulfillmentDeps, cron: string): JobDeclaration {
  return {
    name: 'sla-breach',
    cron,
    async handler(ctx) {
      const now = deps.clock.now();
      let breached = 0;
      let after: { due: Date; id: string } | undefined;
      for (let page = 0; page < deps.jobMaxPages && !ctx.signal.aborted; page++) {
        let q = deps.db
          .selectFrom('fulfillments')
          .select(['id', 'sla_due_at'])
          .where('sla_due_at', '<', now)
          .where('sla_breached_at', 'is', null)
          .where('status', 'in', ACTIVE_STATUSES);
        if (after) {
          const a = after;
          q = q.where(afterKeyset('sla_due_at', { at: a.due, id: a.id }));
        }
        const rows = await q.orderBy('sla_due_at').orderBy('id').limit(deps.jobBatchSize).execute();
        if (rows.length === 0) break;
        breached += await transaction(deps.db, async (tx) => {
          const marked = await tx
            .updateTable('fulfillments')
            .set({ sla_breached_at: now })
            .where(
              'id',
              'in',
              rows.map((r) => r.id),
            )
            .where('sla_breached_at', 'is', null)
            .where('status', 'in', ACTIVE_STATUSES)
            .returning(['id', 'order_id', 'warehouse_id', 'sla_due_at'])
            .execute();
          for (const f of marked)
            await tx.publish('fulfillments.fulfillment.sla_breach', f.id, {
              fulfillmentId: f.id,
              orderId: f.order_id,
              warehouseId: f.warehouse_id,
              shipBy: f.sla_due_at.toISOString(),
              occurredAt: now.toISOString(),
            });
          return marked.length;
        });
        const last = rows[rows.length - 1]!;
        after = { due: last.sla_due_at, id: last.id };
        if (rows.length < deps.jobBatchSize) break;
      }
      if (breached > 0) ctx.logger.warn({ breached, runId: ctx.runId }, 'fulfillment SLA breaches reported');
      return { items: breached };
    },
  };
}
