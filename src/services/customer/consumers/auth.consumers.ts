import { sql } from 'kysely';
import { defineConsumer } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import type { CustomerDB } from '../data/tables.js';

/**
 * `last_login_at` is written here and nowhere else (C1), plus a `login` audit entry. Runs through
 * the inbox, so a redelivered event changes nothing (G4); a late, older event never moves
 * last_login_at backwards (GREATEST).
 */
export const authLoginConsumer = defineConsumer<'auth.login', CustomerDB>({
  subscription: 'customer.auth-login',
  topic: 'auth.login',
  async handle(tx, event) {
    const { principalId, principalType, sessionId, occurredAt } = event.data;
    if (principalType !== 'customer' || !isUuid(principalId)) return;
    const at = new Date(occurredAt);
    const updated = await tx
      .updateTable('customers')
      .set({ last_login_at: sql`GREATEST(COALESCE(last_login_at, ${at}::timestamptz), ${at}::timestamptz)` })
      .where('id', '=', principalId)
      .where('status', '<>', 'deleted')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return; // erased meanwhile: nothing to record
    await repo.audit(tx, {
      customerId: principalId,
      event: 'login',
      actor: `customer:${principalId}`,
      now: at,
      detail: { sessionId },
    });
  },
});

/** Security audit of password changes announced by auth (topic map: customer consumes it). */
export const passwordChangedConsumer = defineConsumer<'auth.password_changed', CustomerDB>({
  subscription: 'customer.password-changed',
  topic: 'auth.password_changed',
  async handle(tx, event) {
    const { principalId, principalType, reason, occurredAt } = event.data;
    if (principalType !== 'customer' || !isUuid(principalId)) return;
    const exists = await tx
      .selectFrom('customers')
      .select('id')
      .where('id', '=', principalId)
      .executeTakeFirst();
    if (!exists) return;
    await repo.audit(tx, {
      customerId: principalId,
      event: 'password_changed',
      actor: 'auth',
      now: new Date(occurredAt),
      detail: { reason },
    });
  },
});
