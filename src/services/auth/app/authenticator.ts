import type { Clock } from '../../../platform/clock.js';
import { AppError } from '../../../platform/errors/app-error.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { Principal } from '../../../platform/security/principal.js';
import type { SessionRepository } from '../data/session.repository.js';
import type { SessionRow } from '../data/tables.js';
import { isSessionLive } from '../domain/session-policy.js';
import { principalFrom } from '../domain/token-claims.js';
import type { AuthMetrics } from './auth.metrics.js';
import type { DirectoryRegistry } from './directory.registry.js';
import type { KeyRing } from './key-ring.js';

export interface AuthenticatorDeps {
  sessions: Pick<SessionRepository, 'findSession'>;
  directories: DirectoryRegistry;
  keys: () => Promise<KeyRing>;
  clock: Clock;
  metrics: AuthMetrics;
  logger: Logger;
}

const FAILED_OPEN = Symbol('failed-open');

/**
 * Access-token validation for the gateway. Signature, `kid`, issuer and expiry are always checked.
 * Then the session must be live and the principal still active with the same permissions version;
 * a role change makes the token `token_stale` (U3) so the client refreshes and gets fresh claims.
 * A store error during those two look-ups fails OPEN with a warning and a counter (A3: a database
 * hiccup must not log everyone out) — unlike login, which fails closed (C3).
 */
export function createAuthenticator(deps: AuthenticatorDeps): (token: string) => Promise<Principal> {
  const { sessions, directories, clock, metrics, logger } = deps;

  const refuse = (code: string, detail: string): never => {
    metrics.validations.inc({ result: code });
    throw new AppError('unauthenticated', code, detail);
  };

  async function orFailOpen<T>(what: string, lookup: () => Promise<T>): Promise<T | typeof FAILED_OPEN> {
    try {
      return await lookup();
    } catch (err) {
      metrics.validations.inc({ result: 'fail_open' });
      logger.warn(
        { err, check: what },
        'token validation store error: accepting the signed token (fail open, A3)',
      );
      return FAILED_OPEN;
    }
  }

  return async (token) => {
    let claims: Awaited<ReturnType<KeyRing['verify']>>;
    try {
      claims = await (await deps.keys()).verify(token, clock.now());
    } catch (err) {
      if (err instanceof AppError) metrics.validations.inc({ result: err.code });
      throw err;
    }
    const now = clock.now();

    const session = await orFailOpen<SessionRow | undefined>('session', () =>
      sessions.findSession(claims.sid),
    );
    if (session !== FAILED_OPEN) {
      const belongs = session && session.principal_type === claims.typ && session.principal_id === claims.sub;
      if (
        !session ||
        !belongs ||
        !isSessionLive({ revokedAt: session.revoked_at, expiresAt: session.expires_at }, now)
      )
        refuse('session_revoked', 'The session of this token has ended');
    }

    const directory = directories.for(claims.typ);
    if (!directory) return refuse('invalid_token', `No directory serves ${claims.typ} principals here`);
    const current = await orFailOpen<number | undefined>('principal', () =>
      directory.activeVersion(claims.typ, claims.sub),
    );
    if (current !== FAILED_OPEN) {
      if (current === undefined) refuse('account_disabled', 'The account of this token is no longer active');
      else if (current !== claims.pv)
        refuse('token_stale', 'Permissions changed since this token was issued; refresh it');
    }
    metrics.validations.inc({ result: 'ok' });
    return principalFrom(claims);
  };
}
