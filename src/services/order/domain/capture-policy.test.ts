import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorizationTooOld,
  type CapturePolicy,
  captureRetryDelayMs,
  capturesExhausted,
} from './capture-policy.js';

const policy: CapturePolicy = {
  maxAttempts: 3,
  baseMs: 5000,
  maxMs: 60_000,
  authorizationMaxAgeMs: 7 * 24 * 3_600_000,
};

describe('capture retry policy', () => {
  it('backs off 5 s, 10 s, 20 s … and never beyond 60 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => captureRetryDelayMs(policy, a))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
  });

  it('is monotonic and bounded for any attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (a) => {
        const d = captureRetryDelayMs(policy, a);
        expect(d).toBeGreaterThanOrEqual(policy.baseMs);
        expect(d).toBeLessThanOrEqual(policy.maxMs);
        expect(captureRetryDelayMs(policy, a + 1)).toBeGreaterThanOrEqual(d);
      }),
    );
  });

  it('gives up after the third try', () => {
    expect(capturesExhausted(policy, 2)).toBe(false);
    expect(capturesExhausted(policy, 3)).toBe(true);
  });

  it('treats an authorization of 7 days or more as expired', () => {
    const at = new Date('2025-01-01T00:00:00Z');
    expect(authorizationTooOld(policy, at, new Date('2025-01-07T23:59:59Z'))).toBe(false);
    expect(authorizationTooOld(policy, at, new Date('2025-01-08T00:00:00Z'))).toBe(true);
  });
});
