import { Counter } from 'prom-client';
import type { Metrics } from '../../../platform/observability/metrics.js';

/** Return counters (G5: a step that keeps failing is visible, never silent). */
export interface ReturnMetrics {
  /** Every failed restock / refund try. */
  stepFailures: Counter<'step'>;
  /** Failed tries past ORDER_RETURN_STEP_MAX_ATTEMPTS: the step still retries at the cap; alert when > 0. */
  stepsOverdue: Counter<'step'>;
}

export function createReturnMetrics(metrics: Metrics): ReturnMetrics {
  return {
    stepFailures: new Counter({
      name: 'orderline_order_return_step_failures_total',
      help: 'Failed restock/refund tries of received returns (retried with backoff)',
      labelNames: ['step'],
      registers: [metrics.registry],
    }),
    stepsOverdue: new Counter({
      name: 'orderline_order_return_steps_overdue_total',
      help: 'Restock/refund tries that failed after ORDER_RETURN_STEP_MAX_ATTEMPTS; still retried at the cap; alert when > 0',
      labelNames: ['step'],
      registers: [metrics.registry],
    }),
  };
}
