import { backoffMs } from '../../../platform/eventing/backoff.js';

/** SHIPPING_CARRIER_MAX_ATTEMPTS / _RETRY_BASE_MS / _RETRY_MAX_MS. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export type NextStep = { kind: 'retry'; at: Date } | { kind: 'give_up' };

/**
 * After the `attempts`-th failed carrier call (SHIP-P0-01): try again after an exponential delay
 * with jitter (many shipments failing in one outage spread out instead of hammering the carrier
 * together when it comes back), or give up once the attempts are used up.
 */
export function afterFailure(
  policy: RetryPolicy,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): NextStep {
  if (attempts >= policy.maxAttempts) return { kind: 'give_up' };
  return {
    kind: 'retry',
    at: new Date(now.getTime() + backoffMs(attempts, policy.baseMs, policy.maxMs, random)),
  };
}
