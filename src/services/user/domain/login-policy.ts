import type { CredentialCheck } from '../../auth/contract/directory.js';
import type { StaffStatus } from './staff-user.js';

/**
 * Lockout policy (C2): after `maxFailures` consecutive wrong passwords the account is locked for
 * `lockoutMs`. The counter itself is updated by one conditional SQL statement (repository), so two
 * concurrent failures both count; these functions decide what a state means.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockoutMs: number;
}

export interface LoginState {
  status: StaffStatus;
  lockedUntil: Date | null;
}

export const isLocked = (lockedUntil: Date | null, now: Date): boolean =>
  lockedUntil !== null && lockedUntil.getTime() > now.getTime();

/** When a lock that starts now ends. */
export const lockEnd = (policy: LockoutPolicy, now: Date): Date => new Date(now.getTime() + policy.lockoutMs);

/** Checked before the password: a locked account is refused even with the right password. */
export function preCheck(state: LoginState, now: Date): Extract<CredentialCheck, { ok: false }> | undefined {
  if (isLocked(state.lockedUntil, now))
    return { ok: false, reason: 'account_locked', lockedUntil: state.lockedUntil! };
  return undefined;
}

/**
 * Checked only after the password matched, so the status of an account is revealed to nobody who
 * does not know its password.
 */
export function postCheck(state: LoginState): Extract<CredentialCheck, { ok: false }> | undefined {
  if (state.status !== 'active') return { ok: false, reason: 'account_disabled' };
  return undefined;
}
