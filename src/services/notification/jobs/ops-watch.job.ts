import { type JobDeclaration, transaction } from '../../../platform/eventing/index.js';
import type { NotificationDeps } from '../app/deps.js';
import { type Background, queueForEvent } from '../app/messages.js';
import type { OperationsWatch } from '../domain/recipients.js';

/**
 * Tells operators about failures the platform stores but no event announces (G5): each failed
 * compensation once when it is first recorded and once more when its retries are exhausted; and
 * each service whose open dead letters reach NOTIFICATION_DLQ_ALERT_THRESHOLD, again at every new
 * high (a watermark per service; it follows the count down as letters are replayed or discarded).
 */
export function opsWatchJob(
  deps: NotificationDeps,
  background: Background,
  watch: OperationsWatch,
  options: { cron: string; threshold: number },
): JobDeclaration {
  return {
    name: 'ops-watch',
    cron: options.cron,
    maxStalenessSeconds: 3600,
    async handler(ctx) {
      let queued = 0;
      // Deliveries of the messages each transaction stored, run once it committed.
      const committed: (() => void)[] = [];
      const delivery = { background, afterCommit: (work: () => void) => void committed.push(work) };
      const flush = () => {
        for (const work of committed.splice(0)) work();
      };
      const compensations = await watch.failedCompensations(deps.batchSize);
      for (const c of compensations) {
        if (ctx.signal.aborted) break;
        queued += await transaction(deps.db, (tx) =>
          queueForEvent(tx, deps, delivery, {
            sourceKey: `compensation:${c.service}:${c.id}:${c.status}`,
            template: 'ops_compensation_failed',
            target: { kind: 'operators' },
            data: { ...c, lastError: c.lastError.slice(0, 500) },
          }),
        );
        flush();
      }
      for (const { service, open } of await watch.openDeadLetters()) {
        const key = `dead_letters:${service}`;
        queued += await transaction(deps.db, async (tx) => {
          const mark = await tx
            .selectFrom('ops_watermarks')
            .select('value')
            .where('key', '=', key)
            .forUpdate()
            .executeTakeFirst();
          const last = Number(mark?.value ?? 0);
          const now = deps.clock.now();
          const alert = open >= options.threshold && open > last;
          if (open !== last)
            await tx
              .insertInto('ops_watermarks')
              .values({ key, value: open, updated_at: now })
              .onConflict((oc) => oc.column('key').doUpdateSet({ value: open, updated_at: now }))
              .execute();
          if (!alert) return 0;
          return queueForEvent(tx, deps, delivery, {
            // The day keeps a count reached again after a drop (replayed, then failing anew) announceable.
            sourceKey: `${key}:${open}:${now.toISOString().slice(0, 10)}`,
            template: 'ops_dead_letters',
            target: { kind: 'operators' },
            data: { service, open, threshold: options.threshold },
          });
        });
        flush();
      }
      return { items: queued };
    },
  };
}
