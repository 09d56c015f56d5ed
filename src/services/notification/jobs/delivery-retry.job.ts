import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { deliver } from '../app/delivery.js';
import type { NotificationDeps } from '../app/deps.js';

/**
 * Retries direct sends whose delivery failed (or whose process died mid-send), one bounded batch
 * of due messages per run, oldest due first.
 */
export function deliveryRetryJob(deps: NotificationDeps, cron: string): JobDeclaration {
  return {
    name: 'delivery-retry',
    cron,
    maxStalenessSeconds: 3600,
    startupDelayMs: 30_000,
    async handler(ctx) {
      const due = await deps.db
        .selectFrom('messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', deps.clock.now())
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(deps.batchSize)
        .execute();
      let sent = 0;
      for (const { id } of due) {
        if (ctx.signal.aborted) break;
        if ((await deliver(deps, id)) === 'sent') sent++;
      }
      return { items: sent };
    },
  };
}
