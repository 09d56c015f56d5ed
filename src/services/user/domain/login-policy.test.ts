import { describe, expect, it } from 'vitest';
import { isLocked, lockEnd, postCheck, preCheck } from './login-policy.js';

const now = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('lockout policy', () => {
  it('is locked only while locked_until lies in the future', () => {
    expect(isLocked(null, now)).toBe(false);
    expect(isLocked(later(1), now)).toBe(true);
    expect(isLocked(now, now)).toBe(false);
    expect(isLocked(later(-1), now)).toBe(false);
  });

  it('ends a lock that starts now after the configured time', () => {
    expect(lockEnd({ maxFailures: 5, lockoutMs: 15 * 60_000 }, now)).toEqual(later(15 * 60_000));
  });

  it('refuses a locked account before the password is checked, with the end of the lock', () => {
    expect(preCheck({ status: 'active', lockedUntil: later(60_000) }, now)).toEqual({
      ok: false,
      reason: 'account_locked',
      lockedUntil: later(60_000),
    });
    expect(preCheck({ status: 'active', lockedUntil: later(-1) }, now)).toBeUndefined();
    expect(preCheck({ status: 'suspended', lockedUntil: null }, now)).toBeUndefined();
  });

  it('refuses non-active accounts only after the password matched', () => {
    expect(postCheck({ status: 'active', lockedUntil: null })).toBeUndefined();
    expect(postCheck({ status: 'suspended', lockedUntil: null })).toEqual({
      ok: false,
      reason: 'account_disabled',
    });
    expect(postCheck({ status: 'deleted', lockedUntil: null })).toEqual({
      ok: false,
      reason: 'account_disabled',
    });
  });
});
