import type { CredentialCheck } from '../../auth/contract/directory.js';
import type { CustomerStatus } from './customer.js';

/**
 * Login rules of the customer directory (C2, C4). The failure counter itself is one conditional
 * SQL statement (repository) so concurrent failures all count; these functions decide what a
 * state means.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockoutMs: number;
}

export interface LoginState {
  status: CustomerStatus;
  lockedUntil: Date | null;
  erasureRequested: boolean;
}

type Refusal = Extract<CredentialCheck, { ok: false }>;

export const isLocked = (lockedUntil: Date | null, now: Date): boolean =>
  lockedUntil !== null && lockedUntil.getTime() > now.getTime();

export const lockEnd = (policy: LockoutPolicy, now: Date): Date => new Date(now.getTime() + policy.lockoutMs);

/** Before the password: a locked account is refused even with the right password. */
export function preCheck(state: LoginState, now: Date): Refusal | undefined {
  if (isLocked(state.lockedUntil, now))
    return { ok: false, reason: 'account_locked', lockedUntil: state.lockedUntil! };
  return undefined;
}

/**
 * After the password matched, so only someone who knows it learns the account's state: not yet
 * verified (403 email_not_verified), suspended or scheduled for erasure (403 account_disabled).
 */
export function postCheck(state: LoginState): Refusal | undefined {
  if (state.status === 'pending_verification') return { ok: false, reason: 'email_not_verified' };
  if (state.status !== 'active' || state.erasureRequested) return { ok: false, reason: 'account_disabled' };
  return undefined;
}
