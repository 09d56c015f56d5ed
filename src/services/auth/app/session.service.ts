import type { Clock } from '../../../platform/clock.js';
import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import { isUuid, newId } from '../../../platform/ids.js';
import type { Principal, PrincipalType } from '../../../platform/security/principal.js';
import type { CredentialCheck, DirectoryPrincipal } from '../contract/directory.js';
import type { PrincipalRef, SessionRepository } from '../data/session.repository.js';
import { deviceFingerprint } from '../domain/device.js';
import { newRefreshToken } from '../domain/refresh-token.js';
import {
  accessTtlSeconds,
  addSeconds,
  refreshTtlSeconds,
  type SessionAgePolicy,
  type SessionLimits,
  sessionsToEvict,
  type TokenLifetimes,
} from '../domain/session-policy.js';
import { claimsFor } from '../domain/token-claims.js';
import type { AuthMetrics } from './auth.metrics.js';
import type { DirectoryRegistry } from './directory.registry.js';
import type { KeyRing } from './key-ring.js';
import { createRefreshRotation } from './refresh-rotation.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/** What the HTTP layer knows about the calling client. */
export interface ClientInfo {
  userAgent?: string | undefined;
  ip?: string | undefined;
  /** Validated X-Device-Id header (domain/device.ts). */
  deviceId?: string | undefined;
}

export interface LoginInput extends ClientInfo {
  email: string;
  password: string;
  type: PrincipalType;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export type DeviceBinding = 'off' | 'warn' | 'block';

export interface SessionServiceDeps {
  sessions: SessionRepository;
  directories: DirectoryRegistry;
  keys: () => Promise<KeyRing>;
  clock: Clock;
  lifetimes: TokenLifetimes;
  limits: SessionLimits;
  age: SessionAgePolicy;
  deviceBinding: DeviceBinding;
  metrics: AuthMetrics;
}

type Refusal = Extract<CredentialCheck, { ok: false }>;

/** A directory's refusal as the API states it (03-api Identity). */
function refusalError(refusal: Refusal, now: Date): AppError {
  switch (refusal.reason) {
    case 'invalid_credentials':
      return new AppError(
        'unauthenticated',
        'invalid_credentials',
        'The email, password or account type is wrong',
      );
    case 'account_locked': {
      const seconds = refusal.lockedUntil
        ? Math.max(1, Math.ceil((refusal.lockedUntil.getTime() - now.getTime()) / 1000))
        : undefined;
      return new AppError(
        'locked',
        'account_locked',
        'Too many failed logins; the account is locked for a while',
        {
          ...(seconds ? { extra: { retryAfter: seconds } } : {}),
        },
      );
    }
    case 'email_not_verified':
      return new AppError('forbidden', 'email_not_verified', 'Verify your email address before logging in');
    case 'account_disabled':
      return new AppError('forbidden', 'account_disabled', 'This account is disabled');
  }
}

function principalOf(ctx: Ctx): Principal {
  if (!ctx.actor || ctx.actor.type === 'system')
    throw new AppError('unauthenticated', 'unauthenticated', 'This action requires a signed-in principal');
  return ctx.actor;
}

const ref = (p: Principal): PrincipalRef => ({ type: p.type, id: p.id });

/** Login, refresh rotation, logout, a principal's own sessions and revocation of all of them. */
export function createSessionService(deps: SessionServiceDeps) {
  const { sessions, directories, clock, lifetimes, limits, metrics } = deps;

  async function issue(
    principal: DirectoryPrincipal,
    sessionId: string,
    refreshToken: string,
    now: Date,
  ): Promise<TokenPair> {
    const ttl = accessTtlSeconds(lifetimes, principal.type);
    const keyRing = await deps.keys();
    const accessToken = await keyRing.sign(claimsFor(principal, sessionId), now, addSeconds(now, ttl));
    return { accessToken, refreshToken, expiresIn: ttl, tokenType: 'Bearer' };
  }

  const refresh = createRefreshRotation({ ...deps, issue });

  return {
    async login(ctx: Ctx, input: LoginInput): Promise<TokenPair> {
      const directory = directories.for(input.type);
      // No directory serves this type in this deployment (e.g. customers before the customer
      // service exists): the same 401 as a wrong password, so nothing is revealed.
      const check: CredentialCheck = directory
        ? await directory.verifyCredentials(input.type, input.email, input.password)
        : { ok: false, reason: 'invalid_credentials' };
      const now = clock.now();
      if (!check.ok) {
        metrics.logins.inc({ type: input.type, result: check.reason });
        ctx.logger.info({ type: input.type, reason: check.reason }, 'login refused');
        throw refusalError(check, now);
      }
      const { principal } = check;
      const owner = { type: principal.type, id: principal.id };
      const sessionId = newId();
      const refreshToken = newRefreshToken();
      const expiresAt = addSeconds(now, refreshTtlSeconds(lifetimes, principal.type));
      const device = deviceFingerprint(input.deviceId, input.userAgent);
      const evicted = await sessions.transaction(async (trx) => {
        // Session limit: the lock makes count-and-evict atomic per principal, so concurrent logins
        // never leave more than the limit live; the oldest sessions go first.
        await sessions.lockPrincipal(trx, owner);
        const live = await sessions.liveSessionIds(trx, owner, now);
        const revoked = await sessions.revokeSessions(
          trx,
          sessionsToEvict(live, limits[principal.type]),
          'session_limit',
          now,
        );
        await sessions.insertSession(trx, {
          id: sessionId,
          principal_type: principal.type,
          principal_id: principal.id,
          created_at: now,
          last_used_at: now,
          expires_at: expiresAt,
          revoked_at: null,
          revoke_reason: null,
          user_agent: input.userAgent?.slice(0, 512) ?? null,
          ip: input.ip ?? null,
          device_hash: device?.hash ?? null,
          device_source: device?.source ?? null,
        });
        await sessions.insertRefreshToken(trx, {
          id: newId(),
          session_id: sessionId,
          token_hash: refreshToken.hash,
          created_at: now,
          expires_at: expiresAt,
          used_at: null,
          replaced_by: null,
        });
        // G10: ids only — no email, IP or user agent in the event.
        await publish(
          trx,
          'auth.login',
          principal.id,
          {
            principalId: principal.id,
            principalType: principal.type,
            sessionId,
            occurredAt: now.toISOString(),
          },
          { time: now },
        );
        return revoked;
      });
      if (evicted > 0) metrics.sessionsRevoked.inc({ reason: 'session_limit' }, evicted);
      metrics.logins.inc({ type: input.type, result: 'ok' });
      ctx.logger.info({ type: principal.type, principalId: principal.id, sessionId, evicted }, 'login');
      return issue(principal, sessionId, refreshToken.token, now);
    },

    refresh,

    async logout(ctx: Ctx): Promise<void> {
      const principal = principalOf(ctx);
      await sessions.revokeSession(principal.sessionId, 'logout', clock.now(), ref(principal));
      ctx.logger.info({ sessionId: principal.sessionId }, 'logout');
    },

    async listOwn(ctx: Ctx): Promise<SessionView[]> {
      const principal = principalOf(ctx);
      const rows = await sessions.liveSessionsOf(ref(principal), clock.now());
      return rows.map((s) => ({
        id: s.id,
        createdAt: s.created_at.toISOString(),
        lastUsedAt: s.last_used_at.toISOString(),
        expiresAt: s.expires_at.toISOString(),
        userAgent: s.user_agent,
        ip: s.ip,
        current: s.id === principal.sessionId,
      }));
    },

    /** Another principal's session is reported as not found: its existence is not ours to know. */
    async revokeOwn(ctx: Ctx, sessionId: string): Promise<void> {
      const principal = principalOf(ctx);
      const revoked =
        isUuid(sessionId) &&
        (await sessions.revokeSession(sessionId, 'revoked_by_owner', clock.now(), ref(principal)));
      if (!revoked) throw notFound('Session', sessionId);
      ctx.logger.info({ sessionId }, 'session revoked by its owner');
    },

    async revokeAll(type: PrincipalType, principalId: string, reason: string): Promise<number> {
      const revoked = await sessions.revokeAllOf({ types: [type], id: principalId }, reason, clock.now());
      if (revoked > 0) metrics.sessionsRevoked.inc({ reason }, revoked);
      return revoked;
    },

    /**
     * A directory changed a principal's password: every session ends and `auth.password_changed`
     * is published in the same transaction (auth is the topic's publisher; it never sees passwords).
     */
    async passwordChanged(
      ctx: Ctx,
      type: PrincipalType,
      principalId: string,
      reason: 'changed' | 'reset',
    ): Promise<number> {
      const now = clock.now();
      const revoked = await sessions.transaction(async (trx) => {
        const n = await sessions.revokeAllOf(
          { types: [type], id: principalId },
          `password_${reason}`,
          now,
          trx,
        );
        await publish(
          trx,
          'auth.password_changed',
          principalId,
          { principalId, principalType: type, reason, occurredAt: now.toISOString() },
          { time: now },
        );
        return n;
      });
      if (revoked > 0) metrics.sessionsRevoked.inc({ reason: `password_${reason}` }, revoked);
      ctx.logger.info({ type, principalId, reason, revoked }, 'password changed: sessions revoked');
      return revoked;
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
