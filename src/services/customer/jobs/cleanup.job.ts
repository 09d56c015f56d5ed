import { afterKeyset, type Keyset } from '../../../platform/db/keyset.js';
import type { JobContext, JobDeclaration } from '../../../platform/eventing/index.js';
import type { CustomerDeps } from '../app/deps.js';
import { eraseCustomer } from '../app/erasure.js';

/** Upper bound of batches per category and run, so one run never holds the scheduler for long. */
const MAX_BATCHES = 50;

/**
 * Daily cleanup (spec: 03:00): due erasures first, then expired or used tokens, then audit entries
 * past retention — each in bounded keyset batches (never an unbounded SELECT or DELETE).
 */
export function cleanupJob(deps: CustomerDeps, cron: string): JobDeclaration {
  return {
    name: 'cleanup',
    cron,
    maxStalenessSeconds: 2 * 86_400,
    startupDelayMs: 60_000,
    async handler(ctx: JobContext) {
      const now = deps.clock.now();
      const size = deps.settings.batchSize;
      const logger = ctx.logger;
      let erased = 0;
      let tokens = 0;
      let audit = 0;

      // 1. Due erasures, oldest first; each customer in its own transaction.
      let after: Keyset | undefined;
      for (let batch = 0; batch < MAX_BATCHES && !ctx.signal.aborted; batch++) {
        let q = deps.db
          .selectFrom('customers')
          .select(['id', 'erase_after'])
          .where('erase_after', '<=', now)
          .orderBy('erase_after')
          .orderBy('id')
          .limit(size);
        if (after) {
          const a = after;
          q = q.where(afterKeyset('erase_after', a));
        }
        const due = await q.execute();
        for (const row of due) if (await eraseCustomer(deps.db, row.id, now, logger)) erased++;
        const last = due.at(-1);
        if (!last || due.length < size) break;
        after = { at: last.erase_after!, id: last.id };
      }

      // 2. Tokens that can no longer be redeemed: expired (used ones expire too, at their TTL).
      tokens = await deleteInBatches(ctx, () =>
        deps.db
          .deleteFrom('customer_tokens')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('customer_tokens')
              .select('id')
              .where('expires_at', '<', now)
              .orderBy('expires_at')
              .limit(size),
          )
          .executeTakeFirst(),
      );

      // 3. Audit entries past retention.
      const cutoff = new Date(now.getTime() - deps.settings.auditRetentionDays * 86_400_000);
      audit = await deleteInBatches(ctx, () =>
        deps.db
          .deleteFrom('audit_log')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('audit_log')
              .select('id')
              .where('occurred_at', '<', cutoff)
              .orderBy('occurred_at')
              .limit(size),
          )
          .executeTakeFirst(),
      );

      logger.info({ erased, tokens, audit }, 'customer cleanup done');
      return { items: erased + tokens + audit };
    },
  };

  async function deleteInBatches(
    ctx: JobContext,
    run: () => Promise<{ numDeletedRows: bigint }>,
  ): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES && !ctx.signal.aborted; batch++) {
      const n = Number((await run()).numDeletedRows);
      total += n;
      if (n < deps.settings.batchSize) break;
    }
    return total;
  }
}
