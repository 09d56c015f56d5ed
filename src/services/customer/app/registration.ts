import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict } from '../../../platform/errors/app-error.js';
import { publish, transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { hashPassword } from '../../../platform/security/password.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import {
  isPlausibleEmail,
  normalizeEmail,
  type RegistrationInput,
  validateRegistration,
} from '../domain/customer.js';
import { DEFAULT_CONSENTS, DEFAULT_PREFERENCES } from '../domain/preferences.js';
import { hashToken, isUsable, looksLikeToken, newToken } from '../domain/token.js';
import { type AccountMailRequest, handOff, queueAccountMail, tokenLink } from './account-mail.js';
import type { CustomerDeps } from './deps.js';

const invalidToken = () =>
  new AppError('validation', 'invalid_token', 'The token is invalid, expired or was already used');

/**
 * Registration (CS-P0-03): validated, normalized input; argon2id hash; the account, its default
 * role, first preference version, verification token, audit entry and `customer.created` commit
 * together with the verification email's queue entry (C8: no email for a rolled-back change; it is
 * handed to notification right after the commit and retried through the outbox, account-mail.ts). A taken email is 409
 * `email_taken` (docs/security.md explains why registration does not hide it).
 */
export async function register(
  ctx: Ctx,
  deps: CustomerDeps,
  input: RegistrationInput,
): Promise<{ id: string; status: 'pending_verification' }> {
  const reg = validateRegistration(input);
  const passwordHash = await hashPassword(reg.password);
  const now = deps.clock.now();
  const id = newId();
  const verification = newToken();
  const expiresAt = new Date(now.getTime() + deps.settings.verificationTtlHours * 3_600_000);
  const mailId = await transaction(deps.db, async (tx) => {
    const inserted = await repo.insert(tx, {
      id,
      email: reg.email,
      first_name: reg.firstName,
      last_name: reg.lastName,
      phone: reg.phone,
      status: 'pending_verification',
      password_hash: passwordHash,
      email_verified_at: null,
      locked_until: null,
      last_login_at: null,
      erasure_requested_at: null,
      erase_after: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    });
    if (!inserted) throw conflict('An account with this email already exists', 'email_taken');
    await repo.replaceRoles(tx, id, ['customer']);
    await tx
      .insertInto('preference_versions')
      .values({
        customer_id: id,
        version: 1,
        preferences: JSON.stringify(DEFAULT_PREFERENCES),
        consents: JSON.stringify(DEFAULT_CONSENTS),
        changed_by: 'registration',
        changed_at: now,
      })
      .execute();
    const tokenId = await repo.insertToken(tx, {
      customerId: id,
      purpose: 'email_verification',
      hash: verification.hash,
      now,
      expiresAt,
    });
    await repo.audit(tx, { customerId: id, event: 'registered', actor: actorId(ctx), now });
    // G10: ids and non-sensitive fields only.
    await publish(tx, 'customer.created', id, {
      customerId: id,
      principalId: id,
      locale: null,
      occurredAt: now.toISOString(),
    });
    return queueAccountMail(
      tx,
      deps,
      verificationMail(deps, { id, email: reg.email, firstName: reg.firstName }, verification.token, tokenId),
    );
  });
  ctx.logger.info({ customerId: id }, 'customer registered');
  await handOff(ctx, deps, mailId);
  return { id, status: 'pending_verification' };
}

const verificationMail = (
  deps: CustomerDeps,
  customer: { id: string; email: string; firstName: string },
  token: string,
  tokenId: string,
): AccountMailRequest => ({
  template: 'email_verification',
  to: customer.email,
  customerId: customer.id,
  idempotencyKey: `customer-token:${tokenId}`,
  data: {
    firstName: customer.firstName,
    token,
    link: tokenLink(deps, 'verify-email', token),
    expiresInHours: deps.settings.verificationTtlHours,
  },
});

/** Redeems a verification token: single use, expiring; the account becomes active. */
export async function verifyEmail(
  ctx: Ctx,
  deps: CustomerDeps,
  token: string,
): Promise<{ status: 'active' }> {
  if (!looksLikeToken(token)) throw invalidToken();
  const row = await repo.findToken(deps.db, 'email_verification', hashToken(token));
  const now = deps.clock.now();
  if (!row || !isUsable({ expiresAt: row.expires_at, usedAt: row.used_at }, now)) throw invalidToken();
  const customerId = await transaction(deps.db, async (tx) => {
    if (!(await repo.consumeToken(tx, row.id, now))) throw invalidToken();
    const customer = await repo.lockById(tx, row.customer_id);
    if (customer?.status !== 'pending_verification' || customer.erasure_requested_at) throw invalidToken();
    await tx
      .updateTable('customers')
      .set({ status: 'active', email_verified_at: now, updated_at: now, version: customer.version + 1 })
      .where('id', '=', customer.id)
      .execute();
    await repo.retireTokens(tx, customer.id, 'email_verification', now);
    await repo.audit(tx, { customerId: customer.id, event: 'email_verified', actor: actorId(ctx), now });
    await publish(tx, 'customer.status_changed', customer.id, {
      customerId: customer.id,
      oldStatus: 'pending_verification',
      newStatus: 'active',
      occurredAt: now.toISOString(),
    });
    return customer.id;
  });
  ctx.logger.info({ customerId }, 'customer email verified');
  return { status: 'active' };
}

/** A new verification email for a pending account; answers the same whether or not one exists. */
export async function resendVerification(ctx: Ctx, deps: CustomerDeps, rawEmail: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const customer = isPlausibleEmail(email) ? await repo.findByEmail(deps.db, email) : undefined;
  if (customer?.status !== 'pending_verification' || customer.erasure_requested_at) return;
  const now = deps.clock.now();
  const verification = newToken();
  const mailId = await transaction(deps.db, async (tx) => {
    const tokenId = await repo.insertToken(tx, {
      customerId: customer.id,
      purpose: 'email_verification',
      hash: verification.hash,
      now,
      expiresAt: new Date(now.getTime() + deps.settings.verificationTtlHours * 3_600_000),
    });
    const who = { id: customer.id, email: customer.email, firstName: customer.first_name };
    return queueAccountMail(tx, deps, verificationMail(deps, who, verification.token, tokenId));
  });
  await handOff(ctx, deps, mailId);
}
