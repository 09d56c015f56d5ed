import { Counter } from 'prom-client';
import type { Metrics } from '../../../platform/observability/metrics.js';

/** Login, token-validation and session-policy counters (A4: validation calls are counted). */
export interface AuthMetrics {
  logins: Counter<'type' | 'result'>;
  validations: Counter<'result'>;
  refreshes: Counter<'result'>;
  /** Sessions ended by policy: eviction at the limit, device mismatch, idle/age, principal events. */
  sessionsRevoked: Counter<'reason'>;
  deviceMismatches: Counter<'mode'>;
  /** Rows deleted by the cleanup job (A8), by which limit they passed. */
  sessionsCleaned: Counter<'reason'>;
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
    sessionsRevoked: new Counter({
      name: 'orderline_auth_sessions_revoked_total',
      help: 'Sessions revoked by policy or principal lifecycle, by reason',
      labelNames: ['reason'],
      registers: [metrics.registry],
    }),
    deviceMismatches: new Counter({
      name: 'orderline_auth_device_mismatches_total',
      help: 'Refreshes from a device other than the one that logged in, by AUTH_DEVICE_BINDING mode',
      labelNames: ['mode'],
      registers: [metrics.registry],
    }),
    sessionsCleaned: new Counter({
      name: 'orderline_auth_sessions_cleaned_total',
      help: 'Sessions deleted by the cleanup job, by limit passed (idle or absolute age)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    }),
  };
}
