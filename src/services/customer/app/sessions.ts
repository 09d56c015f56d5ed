import type { Ctx } from '../../../platform/context.js';
import { recordFailedCompensation } from '../../../platform/eventing/index.js';
import type { CustomerDeps } from './deps.js';

export const REVOKE_ACTION = 'auth.revoke-all-sessions';

export interface RevokePayload {
  customerId: string;
  reason: string;
}

/** `password_reset` goes through auth's passwordChanged (revoke + auth.password_changed); the rest revoke. */
export const revokeFor = (
  deps: Pick<CustomerDeps, 'sessions'>,
  ctx: Ctx,
  p: RevokePayload,
): Promise<number> =>
  p.reason === 'password_reset'
    ? deps.sessions.passwordReset(ctx, p.customerId)
    : deps.sessions.revokeAll(p.customerId, p.reason);

/**
 * Ends every session of the customer after a committed change (C7 reset, suspension, erasure). If
 * auth cannot be reached the revocation is recorded as a failed compensation and retried by the
 * platform (G5) — the change itself stays committed and the failure is visible in
 * /admin/compensations.
 */
export async function revokeSessions(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
  reason: string,
  sagaId: string,
): Promise<void> {
  try {
    const revoked = await revokeFor(deps, ctx, { customerId, reason });
    ctx.logger.info({ customerId, reason, revoked }, 'customer sessions revoked');
  } catch (err) {
    ctx.logger.error({ err, customerId, reason }, 'revoking customer sessions failed; recorded for retry');
    const payload: RevokePayload = { customerId, reason };
    await recordFailedCompensation(
      deps.db,
      {
        sagaType: `customer.${reason}`,
        sagaId,
        step: 'revoke-sessions',
        action: REVOKE_ACTION,
        payload,
        error: err,
      },
      deps.settings.compensation,
      deps.clock.now(),
    );
  }
}
