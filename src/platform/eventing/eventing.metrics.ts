import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Metrics } from '../observability/metrics.js';

/**
 * Eventing metrics, created once per process registry (never the global one). Depth and age
 * gauges are computed from stored rows at scrape time by the `collectors` the facade registers,
 * so every replica reports the same truth (principle 5: computed from stored data).
 */
export interface EventingMetrics {
  outboxPublished: Counter<'service'>;
  outboxPublishFailures: Counter<'service'>;
  outboxExhausted: Counter<'service'>;
  outboxDepth: Gauge<'service' | 'status'>;
  outboxOldestAge: Gauge<'service'>;
  consumerHandled: Counter<'subscription' | 'outcome'>;
  consumerHandlerDuration: Histogram<'subscription'>;
  consumerRedeliveries: Counter<'subscription'>;
  consumerLag: Gauge<'subscription'>;
  deadLettered: Counter<'subscription'>;
  dlqDepth: Gauge<'service'>;
  jobDuration: Histogram<'service' | 'job' | 'status'>;
  jobLastSuccess: Gauge<'service' | 'job'>;
  compensationsExhausted: Counter<'service'>;
  failedCompensations: Gauge<'service' | 'status'>;
  /** Scrape-time collectors; each facade adds its own and removes it on stop. */
  collectors: Set<() => Promise<void>>;
}

const cache = new WeakMap<Registry, EventingMetrics>();

export function eventingMetrics(metrics: Metrics): EventingMetrics {
  const registry = metrics.registry;
  const cached = cache.get(registry);
  if (cached) return cached;
  const registers = [registry];
  const collectors = new Set<() => Promise<void>>();
  // Every stored-data gauge shares one in-flight refresh, so a scrape queries each schema once.
  let inFlight: Promise<void> | undefined;
  const collect = (): Promise<void> => {
    inFlight ??= (async () => {
      for (const c of collectors) await c();
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const m: EventingMetrics = {
    collectors,
    outboxPublished: new Counter({
      name: 'orderline_outbox_published_total',
      help: 'Outbox rows published to the bus',
      labelNames: ['service'],
      registers,
    }),
    outboxPublishFailures: new Counter({
      name: 'orderline_outbox_publish_failures_total',
      help: 'Outbox publish attempts that failed (row retried with backoff)',
      labelNames: ['service'],
      registers,
    }),
    outboxExhausted: new Counter({
      name: 'orderline_outbox_exhausted_total',
      help: 'Outbox rows that reached OUTBOX_MAX_ATTEMPTS and were marked failed (alert)',
      labelNames: ['service'],
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'orderline_outbox_depth',
      help: 'Outbox rows not yet published, by status',
      labelNames: ['service', 'status'],
      registers,
      collect,
    }),
    outboxOldestAge: new Gauge({
      name: 'orderline_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox row',
      labelNames: ['service'],
      registers,
      collect,
    }),
    consumerHandled: new Counter({
      name: 'orderline_consumer_deliveries_total',
      help: 'Deliveries by outcome: processed, duplicate, skipped (not for this consumer), retry, dead_lettered',
      labelNames: ['subscription', 'outcome'],
      registers,
    }),
    consumerHandlerDuration: new Histogram({
      name: 'orderline_consumer_handler_duration_seconds',
      help: 'Handler duration including its inbox transaction',
      labelNames: ['subscription'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    consumerRedeliveries: new Counter({
      name: 'orderline_consumer_redeliveries_total',
      help: 'Deliveries with a delivery count above 1',
      labelNames: ['subscription'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'orderline_consumer_lag_seconds',
      help: 'Time between an event being written and its handling starting (last delivery)',
      labelNames: ['subscription'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'orderline_dead_lettered_total',
      help: 'Events moved to dead_letters',
      labelNames: ['subscription'],
      registers,
    }),
    dlqDepth: new Gauge({
      name: 'orderline_dlq_depth',
      help: 'Open dead letters (alert when above 0)',
      labelNames: ['service'],
      registers,
      collect,
    }),
    jobDuration: new Histogram({
      name: 'orderline_job_duration_seconds',
      help: 'Scheduled job run duration',
      labelNames: ['service', 'job', 'status'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
      registers,
    }),
    jobLastSuccess: new Gauge({
      name: 'orderline_job_last_success_timestamp_seconds',
      help: 'Unix time of the last successful run of a job, on any replica',
      labelNames: ['service', 'job'],
      registers,
      collect,
    }),
    compensationsExhausted: new Counter({
      name: 'orderline_compensations_exhausted_total',
      help: 'Failed compensations that ran out of retries (alert)',
      labelNames: ['service'],
      registers,
    }),
    failedCompensations: new Gauge({
      name: 'orderline_failed_compensations',
      help: 'failed_compensations rows by status',
      labelNames: ['service', 'status'],
      registers,
      collect,
    }),
  };
  cache.set(registry, m);
  return m;
}
