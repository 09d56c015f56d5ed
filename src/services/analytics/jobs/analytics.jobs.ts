import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { aggregateTick } from '../app/aggregation.js';
import { type BackfillSettings, type EventSources, runBackfills } from '../app/backfill.js';
import type { AnalyticsDeps } from '../app/deps.js';
import { type PaymentFigures, reconcileTick } from '../app/reconciliation.js';
import { enforceRetention } from '../app/retention.js';

/**
 * Wall-clock aligned (croner in SCHEDULER_TIMEZONE, SG-18 / Fix 15), once per tick across replicas
 * (G7): the hourly and daily aggregates, reconciliation, retention of raw events, and the open
 * backfills (at most ANALYTICS_BACKFILL_PAGES_PER_RUN pages a run, resumed from stored cursors).
 */
export function analyticsJobs(
  deps: AnalyticsDeps,
  cron: { hourly: string; daily: string; retention: string; reconciliation: string; backfill: string },
  retention: { retentionDays: number; partitionsAhead: number },
  reconciliation: {
    payments: PaymentFigures | undefined;
    batchSize: number;
    onResults: (failed: number) => void;
  },
  backfill: { sources: EventSources; settings: BackfillSettings },
): JobDeclaration[] {
  return [
    {
      name: 'aggregate-hourly',
      cron: cron.hourly,
      handler: async (ctx) => ({ items: await aggregateTick(deps, 'hour', ctx.tick) }),
    },
    {
      name: 'aggregate-daily',
      cron: cron.daily,
      handler: async (ctx) => ({ items: await aggregateTick(deps, 'day', ctx.tick) }),
    },
    {
      name: 'reconciliation',
      cron: cron.reconciliation,
      handler: async (ctx) => {
        const results = await reconcileTick(
          deps,
          reconciliation.payments,
          ctx.tick,
          reconciliation.batchSize,
        );
        reconciliation.onResults(results.filter((r) => !r.ok).length);
        return { items: results.length };
      },
    },
    {
      name: 'retention',
      cron: cron.retention,
      handler: async () => {
        const r = await enforceRetention(deps, retention);
        return { items: r.created.length + r.dropped.length + r.deleted };
      },
    },
    {
      name: 'backfill',
      cron: cron.backfill,
      handler: async (ctx) => ({
        items: await runBackfills(deps, backfill.sources, backfill.settings, ctx.signal),
      }),
    },
  ];
}
