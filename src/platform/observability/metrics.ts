import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { StatementStats } from '../db/statement-counter.js';

/**
 * One registry per process (tests build many apps in one process, each with its own). Platform
 * metrics are created here; services add their business counters through `registry`.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpErrors: Counter<'method' | 'route' | 'status' | 'code'>;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'orderline_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'orderline_http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpErrors: new Counter({
      name: 'orderline_http_errors_total',
      help: 'HTTP responses with an error status by route template and problem code',
      labelNames: ['method', 'route', 'status', 'code'],
      registers: [registry],
    }),
  };
}

/**
 * Database round trips and commits of this process as counters, read from the database's live
 * statistics at scrape time (the bench divides their growth by the calls it made).
 */
export function registerDatabaseMetrics(metrics: Metrics, stats: Readonly<StatementStats>): void {
  const counter = (name: string, help: string, read: () => number) => {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        const now = read();
        this.inc(now - reported);
        reported = now;
      },
    });
  };
  counter('orderline_db_statements_total', 'SQL statements sent (BEGIN and COMMIT included)', () => stats.statements);
  counter('orderline_db_commits_total', 'Committed transactions and writes outside a transaction', () => stats.commits);
  counter('orderline_db_rollbacks_total', 'Rolled back transactions', () => stats.rollbacks);
}
