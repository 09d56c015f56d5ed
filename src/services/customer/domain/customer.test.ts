import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors/app-error.js';
import { CUSTOMER_STATUSES, canTransition, validateProfilePatch, validateRegistration } from './customer.js';
import { postCheck, preCheck } from './login-policy.js';

const fieldsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).fields ?? []).map((f) => f.path);
  }
  throw new Error('expected a validation error');
};

describe('customer rules', () => {
  it('normalizes a registration', () => {
    expect(
      validateRegistration({
        email: ' Ada@Example.COM ',
        password: 'twelve-chars',
        firstName: ' Ada ',
        lastName: 'Lovelace',
        phone: '+44 20 7123-4567',
      }),
    ).toEqual({
      email: 'ada@example.com',
      password: 'twelve-chars',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+442071234567',
    });
  });

  it('names every invalid field', () => {
    expect(
      fieldsOf(() =>
        validateRegistration({
          email: 'a@b',
          password: 'x'.repeat(129),
          firstName: '',
          lastName: 'a\nb',
          phone: '0044',
        }),
      ),
    ).toEqual(['email', 'password', 'firstName', 'lastName', 'phone']);
  });

  it('refuses a password that is the email', () => {
    expect(
      fieldsOf(() =>
        validateRegistration({
          email: 'longname@b.co',
          password: 'LongName@b.co',
          firstName: 'A',
          lastName: 'B',
        }),
      ),
    ).toEqual(['password']);
  });

  it('clears a phone with null in a profile patch', () => {
    expect(validateProfilePatch({ phone: null })).toEqual({ phone: null });
    expect(fieldsOf(() => validateProfilePatch({ firstName: 'x'.repeat(101) }))).toEqual(['firstName']);
  });

  it('walks every status pair: deleted is terminal, nothing returns to pending_verification', () => {
    for (const from of CUSTOMER_STATUSES)
      for (const to of CUSTOMER_STATUSES) {
        const allowed = canTransition(from, to);
        if (from === 'deleted' || to === 'pending_verification' || from === to) expect(allowed).toBe(false);
        else expect(allowed).toBe(true);
      }
  });

  it('refuses in the order that reveals nothing: lock first, verification/status only after the password', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const later = new Date(now.getTime() + 60_000);
    const state = { status: 'pending_verification' as const, lockedUntil: later, erasureRequested: false };
    expect(preCheck(state, now)).toEqual({ ok: false, reason: 'account_locked', lockedUntil: later });
    expect(postCheck(state)).toEqual({ ok: false, reason: 'email_not_verified' });
    expect(postCheck({ ...state, status: 'active', erasureRequested: true })).toEqual({
      ok: false,
      reason: 'account_disabled',
    });
    expect(postCheck({ status: 'active', lockedUntil: null, erasureRequested: false })).toBeUndefined();
  });
});
