import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time account tokens (email verification, password reset): 32 random bytes as base64url in
 * the email, only their SHA-256 in the database (C6), single use and expiring.
 */
export const TOKEN_PURPOSES = ['email_verification', 'password_reset'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Cheap shape check, so garbage never reaches the database. */
export const looksLikeToken = (value: string): boolean => TOKEN_RE.test(value);

export interface TokenState {
  expiresAt: Date;
  usedAt: Date | null;
}

export const isUsable = (t: TokenState, now: Date): boolean =>
  t.usedAt === null && t.expiresAt.getTime() > now.getTime();
