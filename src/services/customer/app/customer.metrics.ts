import { Counter } from 'prom-client';
import type { Metrics } from '../../../platform/observability/metrics.js';

/** The customer service's business counters (registered on the process registry). */
export interface CustomerMetrics {
  /** Reconciliation corrections by field (orders, spent, returns, last_order_at): C-W1, C12. */
  statsCorrections: Counter<'field'>;
  /** Segment membership writes that failed, by operation (evaluate, add, remove): C15. */
  segmentFailures: Counter<'operation'>;
  /** Membership changes written (added / removed). */
  segmentChanges: Counter<'change'>;
}

export function createCustomerMetrics(metrics: Metrics): CustomerMetrics {
  const registers = [metrics.registry];
  return {
    statsCorrections: new Counter({
      name: 'orderline_customer_stats_corrections_total',
      help: 'Customer order statistics corrected by the reconciliation against the order service',
      labelNames: ['field'],
      registers,
    }),
    segmentFailures: new Counter({
      name: 'orderline_customer_segment_evaluation_failures_total',
      help: 'Segment evaluations or membership writes that failed (logged as warnings)',
      labelNames: ['operation'],
      registers,
    }),
    segmentChanges: new Counter({
      name: 'orderline_customer_segment_membership_changes_total',
      help: 'Segment memberships added or removed by evaluation',
      labelNames: ['change'],
      registers,
    }),
  };
}
