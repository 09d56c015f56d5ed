import { Counter } from 'prom-client';
import type { Metrics } from '../../../platform/observability/metrics.js';

/** Order lifecycle counters; failed compensations are also counted by the platform (G5). */
export interface OrderMetrics {
  captures: Counter<'result'>;
  compensationFailures: Counter<'action'>;
  cancellations: Counter<'reason'>;
}

export function createOrderMetrics(metrics: Metrics): OrderMetrics {
  return {
    captures: new Counter({
      name: 'orderline_order_capture_attempts_total',
      help: 'Card capture tries by result (captured, retry, failed)',
      labelNames: ['result'],
      registers: [metrics.registry],
    }),
    compensationFailures: new Counter({
      name: 'orderline_order_compensation_failures_total',
      help: 'Order compensations (e.g. voiding a failed capture) that failed and were recorded for retry; alert when > 0',
      labelNames: ['action'],
      registers: [metrics.registry],
    }),
    cancellations: new Counter({
      name: 'orderline_order_cancellations_total',
      help: 'Orders cancelled, by reason code',
      labelNames: ['reason'],
      registers: [metrics.registry],
    }),
  };
}
