import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { hashPassword } from '../../../platform/security/password.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import { checkPassword, isPlausibleEmail, normalizeEmail } from '../domain/customer.js';
import { hashToken, isUsable, looksLikeToken, newToken } from '../domain/token.js';
import { handOff, queueAccountMail, tokenLink } from './account-mail.js';
import type { CustomerDeps } from './deps.js';
import { revokeSessions } from './sessions.js';

const invalidToken = () =>
  new AppError('validation', 'invalid_token', 'The token is invalid, expired or was already used');

/**
 * Always answered with 202 by the route, whether or not the email belongs to an account (no
 * enumeration). Only an active account gets a reset email; the token is stored hashed (C6).
 */
export async function requestPasswordReset(ctx: Ctx, deps: CustomerDeps, rawEmail: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  if (!isPlausibleEmail(email)) return;
  const customer = await repo.findByEmail(deps.db, email);
  if (customer?.status !== 'active' || customer.erasure_requested_at) {
    ctx.logger.info('password reset requested for no active account');
    return;
  }
  const now = deps.clock.now();
  const reset = newToken();
  const mailId = await transaction(deps.db, async (tx) => {
    const tokenId = await repo.insertToken(tx, {
      customerId: customer.id,
      purpose: 'password_reset',
      hash: reset.hash,
      now,
      expiresAt: new Date(now.getTime() + deps.settings.resetTtlMinutes * 60_000),
    });
    await repo.audit(tx, {
      customerId: customer.id,
      event: 'password_reset_requested',
      actor: actorId(ctx),
      now,
    });
    return queueAccountMail(tx, deps, {
      template: 'password_reset',
      to: customer.email,
      customerId: customer.id,
      idempotencyKey: `customer-token:${tokenId}`,
      data: {
        firstName: customer.first_name,
        token: reset.token,
        link: tokenLink(deps, 'reset-password', reset.token),
        expiresInMinutes: deps.settings.resetTtlMinutes,
      },
    });
  });
  await handOff(ctx, deps, mailId);
}

/**
 * Redeems a reset token: new password, failures and lock cleared, every other reset token
 * retired; then auth revokes every session and publishes `auth.password_changed` (C7), which
 * brings the password-changed notice. No token or password ever reaches an event.
 */
export async function confirmPasswordReset(
  ctx: Ctx,
  deps: CustomerDeps,
  input: { token: string; newPassword: string },
): Promise<void> {
  const errors: FieldError[] = [];
  checkPassword(input.newPassword, errors, 'newPassword');
  if (errors.length > 0) throw validationFailed('The new password is not valid; see errors.', errors);
  if (!looksLikeToken(input.token)) throw invalidToken();
  const row = await repo.findToken(deps.db, 'password_reset', hashToken(input.token));
  const now = deps.clock.now();
  if (!row || !isUsable({ expiresAt: row.expires_at, usedAt: row.used_at }, now)) throw invalidToken();
  const passwordHash = await hashPassword(input.newPassword);
  await transaction(deps.db, async (tx) => {
    if (!(await repo.consumeToken(tx, row.id, now))) throw invalidToken();
    const customer = await repo.lockById(tx, row.customer_id);
    if (customer?.status !== 'active' || customer.erasure_requested_at) throw invalidToken();
    await tx
      .updateTable('customers')
      .set({ password_hash: passwordHash, failed_attempts: 0, locked_until: null, updated_at: now })
      .where('id', '=', customer.id)
      .execute();
    await repo.retireTokens(tx, customer.id, 'password_reset', now);
    await repo.audit(tx, { customerId: customer.id, event: 'password_reset', actor: actorId(ctx), now });
  });
  await revokeSessions(ctx, deps, row.customer_id, 'password_reset', row.id);
}
