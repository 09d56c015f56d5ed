import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';
import type { Principal } from '../../../platform/security/principal.js';

/** The auth service as the gateway and other services see it. */
export interface AuthClient extends EventHistory {
  /**
   * Verifies an access token (signature, expiry, issuer, `kid` among the verification keys) and
   * that its session is still live; throws AppError('unauthenticated') otherwise.
   */
  authenticate(accessToken: string): Promise<Principal>;
  /** Revokes every live session of a principal (password reset, suspension, deletion). */
  revokeAllSessions(type: Principal['type'], principalId: string, reason: string): Promise<number>;
  /**
   * A directory (user or customer service) changed a principal's password: revokes every session
   * and publishes `auth.password_changed` (publisher auth) in one transaction. `reset` when someone
   * else set it (admin reset, reset link), `changed` when the principal changed their own.
   */
  passwordChanged(
    ctx: Ctx,
    type: Principal['type'],
    principalId: string,
    reason: 'changed' | 'reset',
  ): Promise<number>;
}
