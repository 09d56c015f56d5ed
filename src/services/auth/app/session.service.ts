import type { Clock } from '../../../platform/clock.js';
import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { isUuid, newId } from '../../../platform/ids.js';
import type { Principal, PrincipalType } from '../../../platform/security/principal.js';
import type { CredentialCheck, DirectoryPrincipal } from '../contract/directory.js';
import type { PrincipalRef, SessionRepository } from '../data/session.repository.js';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from '../domain/refresh-token.js';
import {
  accessTtlSeconds,
  addSeconds,
  judgeRefresh,
  refreshTtlSeconds,
  type TokenLifetimes,
} from '../domain/session-policy.js';
import { claimsFor } from '../domain/token-claims.js';
import type { AuthMetrics } from './auth.metrics.js';
import type { DirectoryRegistry } from './directory.registry.js';
import type { KeyRing } from './key-ring.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

export interface LoginInput {
  email: string;
  password: string;
  type: PrincipalType;
  userAgent?: string | undefined;
  ip?: string | undefined;
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

export interface SessionServiceDeps {
  sessions: SessionRepository;
  directories: DirectoryRegistry;
  keys: () => Promise<KeyRing>;
  clock: Clock;
  lifetimes: TokenLifetimes;
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

const invalidRefresh = (detail = 'The refresh token is not valid') =>
  new AppError('unauthenticated', 'invalid_refresh_token', detail);

/** Rolls the rotation transaction back when another request used the token first. */
class LostRotationRace extends Error {}

function principalOf(ctx: Ctx): Principal {
  if (!ctx.actor || ctx.actor.type === 'system')
    throw new AppError('unauthenticated', 'unauthenticated', 'This action requires a signed-in principal');
  return ctx.actor;
}

const ref = (p: Principal): PrincipalRef => ({ type: p.type, id: p.id });

/** Login, refresh rotation, logout and a principal's own sessions. */
export function createSessionService(deps: SessionServiceDeps) {
  const { sessions, directories, clock, lifetimes, metrics } = deps;

  async function issue(principal: DirectoryPrincipal, sessionId: string, refreshToken: string, now: Date) {
    const ttl = accessTtlSeconds(lifetimes, principal.type);
    const keyRing = await deps.keys();
    const accessToken = await keyRing.sign(claimsFor(principal, sessionId), now, addSeconds(now, ttl));
    return { accessToken, refreshToken, expiresIn: ttl, tokenType: 'Bearer' as const };
  }

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
      const sessionId = newId();
      const refresh = newRefreshToken();
      const expiresAt = addSeconds(now, refreshTtlSeconds(lifetimes, input.type));
      await sessions.transaction(async (trx) => {
        await sessions.insertSession(trx, {
          id: sessionId,
          principal_type: check.principal.type,
          principal_id: check.principal.id,
          created_at: now,
          last_used_at: now,
          expires_at: expiresAt,
          revoked_at: null,
          revoke_reason: null,
          user_agent: input.userAgent?.slice(0, 512) ?? null,
          ip: input.ip ?? null,
        });
        await sessions.insertRefreshToken(trx, {
          id: newId(),
          session_id: sessionId,
          token_hash: refresh.hash,
          created_at: now,
          expires_at: expiresAt,
          used_at: null,
          replaced_by: null,
        });
      });
      metrics.logins.inc({ type: input.type, result: 'ok' });
      ctx.logger.info({ type: check.principal.type, principalId: check.principal.id, sessionId }, 'login');
      return issue(check.principal, sessionId, refresh.token, now);
    },

    /**
     * Rotation: the new token is written before the old one is marked used (A6), in one
     * transaction whose conditional update lets exactly one of two concurrent refreshes win.
     * Presenting a token that was already rotated revokes the whole session (reuse detection);
     * the loser of a concurrent race counts as such a replay too, so clients must not refresh
     * the same token twice in parallel (OAuth 2.0 Security BCP, refresh token rotation).
     */
    async refresh(ctx: Ctx, refreshToken: string): Promise<TokenPair> {
      const found = looksLikeRefreshToken(refreshToken)
        ? await sessions.findRefreshToken(hashRefreshToken(refreshToken))
        : undefined;
      if (!found) {
        metrics.refreshes.inc({ result: 'invalid' });
        throw invalidRefresh();
      }
      const { token, session } = found;
      const now = clock.now();

      const revokeForReuse = async () => {
        await sessions.revokeSession(session.id, 'refresh_token_reused', now);
        metrics.refreshes.inc({ result: 'reused' });
        ctx.logger.warn(
          { sessionId: session.id, principalType: session.principal_type },
          'refresh token reused: session revoked',
        );
        return new AppError(
          'unauthenticated',
          'refresh_token_reused',
          'This refresh token was already used; the session has been ended',
        );
      };

      const verdict = judgeRefresh(
        { usedAt: token.used_at, expiresAt: token.expires_at },
        { revokedAt: session.revoked_at, expiresAt: session.expires_at },
        now,
      );
      if (verdict === 'reused') throw await revokeForReuse();
      if (verdict !== 'rotate') {
        metrics.refreshes.inc({ result: verdict });
        throw invalidRefresh(
          verdict === 'expired' ? 'The refresh token has expired' : 'The session has ended',
        );
      }

      // Fresh claims: roles or status may have changed since login (U3).
      const principal = await directories
        .for(session.principal_type)
        ?.loadPrincipal(session.principal_type, session.principal_id);
      if (!principal) {
        await sessions.revokeSession(session.id, 'principal_inactive', now);
        metrics.refreshes.inc({ result: 'principal_inactive' });
        throw invalidRefresh('The account is no longer active');
      }

      const replacement = newRefreshToken();
      const replacementId = newId();
      const expiresAt = addSeconds(now, refreshTtlSeconds(lifetimes, session.principal_type));
      try {
        await sessions.transaction(async (trx) => {
          await sessions.insertRefreshToken(trx, {
            id: replacementId,
            session_id: session.id,
            token_hash: replacement.hash,
            created_at: now,
            expires_at: expiresAt,
            used_at: null,
            replaced_by: null,
          });
          if (!(await sessions.markUsed(trx, token.id, replacementId, now))) throw new LostRotationRace();
          await sessions.touchSession(trx, session.id, now, expiresAt);
        });
      } catch (err) {
        if (err instanceof LostRotationRace) throw await revokeForReuse();
        throw err;
      }
      metrics.refreshes.inc({ result: 'ok' });
      return issue(principal, session.id, replacement.token, now);
    },

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

    revokeAll: (type: PrincipalType, principalId: string, reason: string): Promise<number> =>
      sessions.revokeAllOf({ type, id: principalId }, reason, clock.now()),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
