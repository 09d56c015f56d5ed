import type { PrincipalType } from '../../../platform/security/principal.js';

/** Token lifetimes per principal type, in seconds (settings AUTH_ACCESS_TTL_*, AUTH_REFRESH_TTL_*). */
export interface TokenLifetimes {
  staff: { accessSeconds: number; refreshSeconds: number };
  customer: { accessSeconds: number; refreshSeconds: number };
}

const group = (type: PrincipalType): keyof TokenLifetimes => (type === 'customer' ? 'customer' : 'staff');

export const accessTtlSeconds = (lifetimes: TokenLifetimes, type: PrincipalType): number =>
  lifetimes[group(type)].accessSeconds;

export const refreshTtlSeconds = (lifetimes: TokenLifetimes, type: PrincipalType): number =>
  lifetimes[group(type)].refreshSeconds;

export const addSeconds = (date: Date, seconds: number): Date => new Date(date.getTime() + seconds * 1000);

export interface SessionState {
  revokedAt: Date | null;
  expiresAt: Date;
}

export const isSessionLive = (session: SessionState, now: Date): boolean =>
  session.revokedAt === null && session.expiresAt.getTime() > now.getTime();

export interface RefreshTokenState {
  usedAt: Date | null;
  expiresAt: Date;
}

/**
 * What presenting a refresh token means. A token that was already rotated is a replay — of a
 * stolen token or by a client that lost the race — and ends the session (reuse detection); it is
 * checked first so even an expired, reused token still revokes.
 */
export type RefreshVerdict = 'rotate' | 'reused' | 'expired' | 'session_ended';

export function judgeRefresh(token: RefreshTokenState, session: SessionState, now: Date): RefreshVerdict {
  if (token.usedAt !== null) return session.revokedAt === null ? 'reused' : 'session_ended';
  if (!isSessionLive(session, now)) return 'session_ended';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'rotate';
}
