import type { Principal } from '../../../platform/security/principal.js';

/** The auth service as the gateway and other services see it. */
export interface AuthClient {
  /**
   * Verifies an access token (signature, expiry, issuer, `kid` among the verification keys) and
   * that its session is still live; throws AppError('unauthenticated') otherwise.
   */
  authenticate(accessToken: string): Promise<Principal>;
  /** Revokes every live session of a principal (password reset, suspension, deletion). */
  revokeAllSessions(type: Principal['type'], principalId: string, reason: string): Promise<number>;
}
