import type { Kysely } from 'kysely';
import { transaction } from '../../../platform/eventing/index.js';
import type { Logger } from '../../../platform/logging/logger.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import type { CustomerDB } from '../data/tables.js';

/**
 * Anonymizes one customer whose grace period has passed, in ONE transaction (seeds:
 * ProcessAccountDeletion was not transactional): PII overwritten, addresses, preferences, tokens
 * and roles removed, status `deleted`, and `customer.status_changed` + `customer.deleted`
 * published with it so every service erases its copy (G10). Returns false when the row is no
 * longer due (cancelled or done by another run).
 */
export async function eraseCustomer(
  db: Kysely<CustomerDB>,
  id: string,
  now: Date,
  logger: Logger,
): Promise<boolean> {
  const erased = await transaction(db, async (tx) => {
    const row = await repo.lockById(tx, id);
    if (!row || row.status === 'deleted' || !row.erase_after || row.erase_after > now) return false;
    await tx
      .updateTable('customers')
      .set({
        // Unique and unroutable (.invalid, RFC 2606), so the address can be registered again.
        email: `erased-${id}@erased.invalid`,
        first_name: 'Erased',
        last_name: 'Customer',
        phone: null,
        // Not a PHC string: nothing can ever verify against it.
        password_hash: '!erased',
        status: 'deleted',
        failed_attempts: 0,
        locked_until: null,
        last_login_at: null,
        erase_after: null,
        deleted_at: now,
        updated_at: now,
        version: row.version + 1,
      })
      .where('id', '=', id)
      .execute();
    await tx.deleteFrom('addresses').where('customer_id', '=', id).execute();
    await tx.deleteFrom('preference_versions').where('customer_id', '=', id).execute();
    await tx.deleteFrom('customer_tokens').where('customer_id', '=', id).execute();
    await tx.deleteFrom('account_mails').where('customer_id', '=', id).execute();
    await tx.deleteFrom('customer_roles').where('customer_id', '=', id).execute();
    await repo.audit(tx, { customerId: id, event: 'erased', actor: 'system:cleanup', now });
    await tx.publish('customer.status_changed', id, {
      customerId: id,
      oldStatus: row.status,
      newStatus: 'deleted',
      occurredAt: now.toISOString(),
    });
    await tx.publish('customer.deleted', id, {
      customerId: id,
      principalId: id,
      occurredAt: now.toISOString(),
    });
    return true;
  });
  if (erased) logger.info({ customerId: id }, 'customer erased');
  return erased;
}
