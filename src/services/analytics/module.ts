import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import type { BackfillSettings, EventSources } from './app/backfill.js';
import type { AnalyticsDeps } from './app/deps.js';
import type { PaymentFigures } from './app/reconciliation.js';
import { enforceRetention } from './app/retention.js';
import { createStorageGuard } from './app/storage-guard.js';
import { createStorefrontIngest } from './app/storefront-ingest.js';
import { lifecycleConsumers } from './consumers/lifecycle.consumers.js';
import type { AnalyticsClient } from './contract/client.js';
import { table } from './data/sql.js';
import type { AnalyticsDB } from './data/tables.js';
import { createPiiMasker } from './domain/pii.js';
import { registerAnalyticsRoutes } from './http/analytics.routes.js';
import { registerBackfillRoutes } from './http/backfill.routes.js';
import { analyticsJobs } from './jobs/analytics.jobs.js';

export type AnalyticsModuleDeps = PlatformDeps<AnalyticsDB> & {
  /** The payment service's figures for reconciliation; absent when payment is not in this process. */
  payments?: PaymentFigures;
  /** The event histories of the publishing services in this process, by name (backfill). */
  sources?: EventSources;
};

/**
 * The analytics composition root (04-services.md "analytics", docs/analytics.md): lifecycle topics
 * from the bus through the batched inbox path, storefront events through a bounded queue, PII
 * masked before storage, facts per order by sequence, aggregates by scheduled jobs, reports.
 */
export function createAnalyticsModule(deps: AnalyticsModuleDeps): ServiceModule<AnalyticsClient> {
  const { config, logger } = deps;
  let hashKey = config.ANALYTICS_PII_HASH_KEY;
  if (!hashKey) {
    if (config.isProduction)
      throw new Error('ANALYTICS_PII_HASH_KEY: required in production (keys the hashes of PII in analytics)');
    hashKey = randomBytes(32).toString('hex');
    logger.warn('ANALYTICS_PII_HASH_KEY is not set: using a random key for this process (development only)');
  }
  const storage = createStorageGuard(
    {
      errorThresholdPercent: config.ANALYTICS_CIRCUIT_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.ANALYTICS_CIRCUIT_VOLUME_THRESHOLD,
      resetMs: config.ANALYTICS_CIRCUIT_RESET_MS,
    },
    logger,
  );
  const app: AnalyticsDeps = {
    db: deps.db,
    clock: deps.clock,
    logger,
    pii: createPiiMasker(hashKey),
    storage,
    realtimeMinutes: config.ANALYTICS_REALTIME_MINUTES,
    maxRangeDays: config.ANALYTICS_MAX_RANGE_DAYS,
  };
  const ingest = createStorefrontIngest(app, {
    queueMax: config.ANALYTICS_INGEST_QUEUE_MAX,
    batchMax: config.ANALYTICS_INGEST_BATCH_MAX,
    flushMs: config.ANALYTICS_INGEST_FLUSH_MS,
    dedupMax: config.ANALYTICS_DEDUP_CACHE_MAX,
    dedupTtlMs: config.ANALYTICS_DEDUP_CACHE_TTL_SECONDS * 1000,
  });

  const sources = deps.sources ?? {};
  const backfill: BackfillSettings = {
    pageSize: config.ANALYTICS_BACKFILL_PAGE_SIZE,
    pagesPerRun: config.ANALYTICS_BACKFILL_PAGES_PER_RUN,
    maxWindowHours: config.ANALYTICS_BACKFILL_MAX_WINDOW_HOURS,
    historyHours: config.OUTBOX_RETENTION_HOURS,
  };

  const retention = {
    retentionDays: config.ANALYTICS_RETENTION_DAYS,
    partitionsAhead: config.ANALYTICS_PARTITIONS_AHEAD,
  };

  // Checks of the last reconciliation that did not match (alert rule AnalyticsReconciliationMismatch).
  const reconciliationFailures = new Gauge({
    name: 'orderline_analytics_reconciliation_failures',
    help: 'Reconciliation checks of the last run that did not match (event volume, payment figures)',
    registers: [deps.metrics.registry],
  });

  const client: AnalyticsClient = {
    async eventCounts(from, to) {
      const rows = await sql<{ topic: string; events: number }>`
        SELECT topic, COUNT(*)::int AS events FROM ${table('events')}
        WHERE occurred_at >= ${from} AND occurred_at < ${to} GROUP BY topic ORDER BY topic`.execute(app.db);
      return rows.rows;
    },
  };

  return {
    name: 'analytics',
    migrations: new URL('./data/migrations/', import.meta.url),
    routes: (http) => {
      registerAnalyticsRoutes(http, app, ingest);
      registerBackfillRoutes(http, app, sources, backfill);
    },
    client,
    consumers: lifecycleConsumers(app, config.ANALYTICS_CONSUMER_BATCH_SIZE),
    jobs: analyticsJobs(
      app,
      {
        hourly: config.ANALYTICS_HOURLY_CRON,
        daily: config.ANALYTICS_DAILY_CRON,
        retention: config.ANALYTICS_RETENTION_CRON,
        reconciliation: config.ANALYTICS_RECONCILIATION_CRON,
        backfill: config.ANALYTICS_BACKFILL_CRON,
      },
      retention,
      {
        payments: deps.payments,
        batchSize: config.ANALYTICS_JOB_BATCH_SIZE,
        onResults: (failed) => reconciliationFailures.set(failed),
      },
      { sources, settings: backfill },
    ),
    // This month's and the next months' partitions exist before the first event arrives.
    async start() {
      await enforceRetention(app, retention);
    },
    async stop() {
      await ingest.stop();
      storage.shutdown();
    },
  };
}
