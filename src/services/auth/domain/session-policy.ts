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

/** Live sessions allowed per principal type (AUTH_SESSION_LIMIT_*). */
export type SessionLimits = Readonly<Record<PrincipalType, number>>;

/**
 * Which live sessions a new login evicts: given the live sessions newest first, everything from
 * position `limit - 1` on, so that with the new one exactly `limit` remain and the oldest go first.
 */
export function sessionsToEvict<T>(liveNewestFirst: readonly T[], limit: number): T[] {
  return liveNewestFirst.slice(Math.max(0, limit - 1));
}

/** Idle and absolute lifetime of a session (AUTH_SESSION_IDLE_DAYS, AUTH_SESSION_MAX_AGE_DAYS). */
export interface SessionAgePolicy {
  idleSeconds: number;
  maxAgeSeconds: number;
}

/**
 * Whether a session may still be refreshed: `idle` when unused (no login or refresh) for longer
 * than the idle limit, `too_old` when it was created longer ago than the absolute limit — refresh
 * rotation alone must not keep a session alive for ever.
 */
export function judgeSessionAge(
  session: { createdAt: Date; lastUsedAt: Date },
  policy: SessionAgePolicy,
  now: Date,
): 'ok' | 'idle' | 'too_old' {
  if (addSeconds(session.createdAt, policy.maxAgeSeconds).getTime() <= now.getTime()) return 'too_old';
  if (addSeconds(session.lastUsedAt, policy.idleSeconds).getTime() <= now.getTime()) return 'idle';
  return 'ok';
}

/** A refreshed session's new expiry: the refresh lifetime from now, never past the absolute limit. */
export function refreshedExpiry(
  createdAt: Date,
  now: Date,
  refreshSeconds: number,
  maxAgeSeconds: number,
): Date {
  const byRefresh = addSeconds(now, refreshSeconds);
  const byAge = addSeconds(createdAt, maxAgeSeconds);
  return byRefresh.getTime() < byAge.getTime() ? byRefresh : byAge;
}
