import { describe, expect, it } from 'vitest';
import { afterFailure } from './booking-retry.js';

describe('carrier booking retries (SHIP-P0-01)', () => {
  const policy = { maxAttempts: 5, baseMs: 10_000, maxMs: 60_000 };
  const now = new Date('2030-01-01T00:00:00Z');
  const delay = (attempts: number, random: number) => {
    const step = afterFailure(policy, attempts, now, () => random);
    if (step.kind !== 'retry') throw new Error(`expected a retry after ${attempts}`);
    return step.at.getTime() - now.getTime();
  };

  it('doubles the delay per attempt up to the maximum, with half of it jittered', () => {
    expect([1, 2, 3, 4].map((a) => delay(a, 0))).toEqual([5_000, 10_000, 20_000, 30_000]);
    expect([1, 2, 3, 4].map((a) => delay(a, 1))).toEqual([10_000, 20_000, 40_000, 60_000]);
    expect(delay(1, 0.5)).toBe(7_500);
  });

  it('gives up once the attempts are used up', () => {
    expect(afterFailure(policy, 5, now)).toEqual({ kind: 'give_up' });
    expect(afterFailure(policy, 6, now)).toEqual({ kind: 'give_up' });
    expect(afterFailure({ ...policy, maxAttempts: 1 }, 1, now)).toEqual({ kind: 'give_up' });
  });
});
