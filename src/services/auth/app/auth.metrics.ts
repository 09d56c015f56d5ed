import { Counter } from 'prom-client';
import type { Metrics } from '../../../platform/observability/metrics.js';

/** Login and token-validation counters (A4: validation calls are counted). */
export interface AuthMetrics {
  logins: Counter<'type' | 'result'>;
  validations: Counter<'result'>;
  refreshes: Counter<'result'>;
}

export function createAuthMetrics(metrics: Metrics): AuthMetrics {
  return {
    logins: new Counter({
      name: 'orderline_auth_logins_total',
      help: 'Login attempts by principal type and result (ok or the refusal code)',
      labelNames: ['type', 'result'],
      registers: [metrics.registry],
    }),
    validations: new Counter({
      name: 'orderline_auth_token_validations_total',
      help: 'Access token validations by result (ok, fail_open, or the refusal code)',
      labelNames: ['result'],
      registers: [metrics.registry],
    }),
    refreshes: new Counter({
      name: 'orderline_auth_refreshes_total',
      help: 'Refresh token rotations by result (ok, reused, or the refusal code)',
      labelNames: ['result'],
      registers: [metrics.registry],
    }),
  };
}
