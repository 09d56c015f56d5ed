import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { DirectoryPrincipal } from '../contract/directory.js';
import type { SessionRow } from '../data/tables.js';
import { compareDevice, deviceFingerprint } from '../domain/device.js';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from '../domain/refresh-token.js';
import {
  judgeRefresh,
  judgeSessionAge,
  refreshedExpiry,
  refreshTtlSeconds,
} from '../domain/session-policy.js';
import type { ClientInfo, SessionServiceDeps, TokenPair } from './session.service.js';

const invalidRefresh = (detail = 'The refresh token is not valid') =>
  new AppError('unauthenticated', 'invalid_refresh_token', detail);

/** Rolls the rotation transaction back when another request used the token first. */
class LostRotationRace extends Error {}

type RotationDeps = SessionServiceDeps & {
  issue(
    principal: DirectoryPrincipal,
    sessionId: string,
    refreshToken: string,
    now: Date,
  ): Promise<TokenPair>;
};

/**
 * Refresh rotation. The new token is written before the old one is marked used (A6), in one
 * transaction whose conditional update lets exactly one of two concurrent refreshes win.
 * Presenting a token that was already rotated revokes the whole session (reuse detection); the
 * loser of a concurrent race counts as such a replay too, so clients must not refresh the same
 * token twice in parallel (OAuth 2.0 Security BCP, refresh token rotation). Before rotating, the
 * session must be within its idle and absolute lifetimes and, with device binding on, come from
 * the device that logged in.
 */
export function createRefreshRotation(deps: RotationDeps) {
  const { sessions, directories, clock, lifetimes, metrics, age, deviceBinding } = deps;

  const end = async (ctx: Ctx, session: SessionRow, reason: string, now: Date, error: AppError) => {
    await sessions.revokeSession(session.id, reason, now);
    metrics.refreshes.inc({ result: reason });
    metrics.sessionsRevoked.inc({ reason });
    ctx.logger.warn(
      { sessionId: session.id, principalType: session.principal_type, reason },
      'session ended',
    );
    return error;
  };

  const reuse = (ctx: Ctx, session: SessionRow, now: Date) =>
    end(
      ctx,
      session,
      'refresh_token_reused',
      now,
      new AppError(
        'unauthenticated',
        'refresh_token_reused',
        'This refresh token was already used; the session has been ended',
      ),
    );

  /** Device binding: `warn` logs and counts, `block` ends the session; undefined when it may go on. */
  async function checkDevice(ctx: Ctx, session: SessionRow, client: ClientInfo, now: Date) {
    if (deviceBinding === 'off') return undefined;
    const bound =
      session.device_hash && session.device_source
        ? { hash: session.device_hash, source: session.device_source }
        : undefined;
    if (compareDevice(bound, deviceFingerprint(client.deviceId, client.userAgent)) !== 'mismatch')
      return undefined;
    metrics.deviceMismatches.inc({ mode: deviceBinding });
    if (deviceBinding === 'warn') {
      ctx.logger.warn(
        { sessionId: session.id, principalType: session.principal_type, boundTo: session.device_source },
        'refresh from another device than the one that logged in (AUTH_DEVICE_BINDING=warn)',
      );
      return undefined;
    }
    return end(
      ctx,
      session,
      'device_mismatch',
      now,
      new AppError(
        'unauthenticated',
        'device_mismatch',
        'This session belongs to another device; the session has been ended',
      ),
    );
  }

  return async function refresh(ctx: Ctx, refreshToken: string, client: ClientInfo = {}): Promise<TokenPair> {
    const found = looksLikeRefreshToken(refreshToken)
      ? await sessions.findRefreshToken(hashRefreshToken(refreshToken))
      : undefined;
    if (!found) {
      metrics.refreshes.inc({ result: 'invalid' });
      throw invalidRefresh();
    }
    const { token, session } = found;
    const now = clock.now();

    const verdict = judgeRefresh(
      { usedAt: token.used_at, expiresAt: token.expires_at },
      { revokedAt: session.revoked_at, expiresAt: session.expires_at },
      now,
    );
    if (verdict === 'reused') throw await reuse(ctx, session, now);
    if (verdict !== 'rotate') {
      metrics.refreshes.inc({ result: verdict });
      throw invalidRefresh(verdict === 'expired' ? 'The refresh token has expired' : 'The session has ended');
    }

    const ageVerdict = judgeSessionAge(
      { createdAt: session.created_at, lastUsedAt: session.last_used_at },
      age,
      now,
    );
    if (ageVerdict !== 'ok')
      throw await end(
        ctx,
        session,
        ageVerdict === 'idle' ? 'idle_timeout' : 'max_age',
        now,
        invalidRefresh('The session has ended; log in again'),
      );

    const deviceRefusal = await checkDevice(ctx, session, client, now);
    if (deviceRefusal) throw deviceRefusal;

    // Fresh claims: roles or status may have changed since login (U3).
    const principal = await directories
      .for(session.principal_type)
      ?.loadPrincipal(session.principal_type, session.principal_id);
    if (!principal)
      throw await end(
        ctx,
        session,
        'principal_inactive',
        now,
        invalidRefresh('The account is no longer active'),
      );

    const replacement = newRefreshToken();
    const replacementId = newId();
    const expiresAt = refreshedExpiry(
      session.created_at,
      now,
      refreshTtlSeconds(lifetimes, session.principal_type),
      age.maxAgeSeconds,
    );
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
      if (err instanceof LostRotationRace) throw await reuse(ctx, session, now);
      throw err;
    }
    metrics.refreshes.inc({ result: 'ok' });
    return deps.issue(principal, session.id, replacement.token, now);
  };
}
