/**
 * When a card capture is retried and when it is given up (04-services.md "Payment capture",
 * seed capture_retry.go): exponential backoff from `baseMs` doubling up to `maxMs`, at most
 * `maxAttempts` tries; an authorization older than `authorizationMaxAgeMs` (networks drop them
 * after about 7 days) is not captured at all but handled as a failed capture.
 */
export interface CapturePolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  authorizationMaxAgeMs: number;
}

/** Delay before the next try after `attempt` (1-based) failed: base · 2^(attempt−1), capped. */
export function captureRetryDelayMs(policy: CapturePolicy, attempt: number): number {
  const exp = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.baseMs * 2 ** exp, policy.maxMs);
}

export const capturesExhausted = (policy: CapturePolicy, attempts: number): boolean =>
  attempts >= policy.maxAttempts;

/** Seed "Auth expiry guard": an authorization this old is no longer captured (G5: void and cancel). */
export const authorizationTooOld = (policy: CapturePolicy, authorizedAt: Date, now: Date): boolean =>
  now.getTime() - authorizedAt.getTime() >= policy.authorizationMaxAgeMs;
