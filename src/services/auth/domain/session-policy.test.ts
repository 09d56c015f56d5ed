import { describe, expect, it } from 'vitest';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-token.js';
import {
  accessTtlSeconds,
  isSessionLive,
  judgeRefresh,
  refreshTtlSeconds,
  type TokenLifetimes,
} from './session-policy.js';
import { claimsFor, principalFrom } from './token-claims.js';

const now = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('token lifetimes', () => {
  const lifetimes: TokenLifetimes = {
    staff: { accessSeconds: 900, refreshSeconds: 43_200 },
    customer: { accessSeconds: 3600, refreshSeconds: 604_800 },
  };
  it('uses the staff lifetimes for admins and shippers and the customer ones for customers', () => {
    expect(accessTtlSeconds(lifetimes, 'admin')).toBe(900);
    expect(accessTtlSeconds(lifetimes, 'shipper')).toBe(900);
    expect(accessTtlSeconds(lifetimes, 'customer')).toBe(3600);
    expect(refreshTtlSeconds(lifetimes, 'shipper')).toBe(43_200);
    expect(refreshTtlSeconds(lifetimes, 'customer')).toBe(604_800);
  });
});

describe('session liveness', () => {
  it('is live until revoked or expired', () => {
    expect(isSessionLive({ revokedAt: null, expiresAt: at(1) }, now)).toBe(true);
    expect(isSessionLive({ revokedAt: null, expiresAt: now }, now)).toBe(false);
    expect(isSessionLive({ revokedAt: at(-5), expiresAt: at(100) }, now)).toBe(false);
  });
});

describe('judgeRefresh', () => {
  const live = { revokedAt: null, expiresAt: at(3600) };
  const fresh = { usedAt: null, expiresAt: at(3600) };

  it('rotates an unused, unexpired token of a live session', () => {
    expect(judgeRefresh(fresh, live, now)).toBe('rotate');
  });
  it('calls a used token of a live session a reuse, even when it has expired since', () => {
    expect(judgeRefresh({ usedAt: at(-10), expiresAt: at(3600) }, live, now)).toBe('reused');
    expect(judgeRefresh({ usedAt: at(-10), expiresAt: at(-1) }, live, now)).toBe('reused');
  });
  it('reports the session ended when it was revoked or expired', () => {
    expect(
      judgeRefresh({ usedAt: at(-10), expiresAt: at(3600) }, { revokedAt: at(-5), expiresAt: at(3600) }, now),
    ).toBe('session_ended');
    expect(judgeRefresh(fresh, { revokedAt: at(-5), expiresAt: at(3600) }, now)).toBe('session_ended');
    expect(judgeRefresh(fresh, { revokedAt: null, expiresAt: at(-1) }, now)).toBe('session_ended');
  });
  it('refuses an expired token', () => {
    expect(judgeRefresh({ usedAt: null, expiresAt: now }, live, now)).toBe('expired');
  });
});

describe('refresh tokens', () => {
  it('are 32 random bytes in base64url, stored as their SHA-256', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(a.token).not.toBe(b.token);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(looksLikeRefreshToken(a.token)).toBe(true);
    expect(a.hash).toBe(hashRefreshToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token);
  });
  it('are recognized by shape before any lookup', () => {
    expect(looksLikeRefreshToken('short')).toBe(false);
    expect(looksLikeRefreshToken(`${'a'.repeat(42)}=`)).toBe(false);
  });
});

describe('access token claims', () => {
  it('carry the directory principal and the session, and read back into a Principal', () => {
    const claims = claimsFor(
      {
        type: 'shipper',
        id: 'u1',
        roles: ['shipper'],
        permissions: ['shipping:write'],
        permissionsVersion: 3,
      },
      's1',
    );
    expect(claims).toEqual({
      sub: 'u1',
      typ: 'shipper',
      roles: ['shipper'],
      perms: ['shipping:write'],
      pv: 3,
      sid: 's1',
    });
    expect(principalFrom(claims)).toEqual({
      type: 'shipper',
      id: 'u1',
      roles: ['shipper'],
      permissions: ['shipping:write'],
      permissionsVersion: 3,
      sessionId: 's1',
    });
  });
});
