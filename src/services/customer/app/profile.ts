import { actorId, type Ctx } from '../../../platform/context.js';
import { conflict, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { publish, transaction } from '../../../platform/eventing/index.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import type { CustomerRow } from '../data/tables.js';
import { type ProfilePatchInput, validateProfilePatch } from '../domain/customer.js';
import type { CustomerDeps } from './deps.js';
import { revokeSessions } from './sessions.js';

export interface Profile {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  status: CustomerRow['status'];
  emailVerified: boolean;
  roles: string[];
  version: number;
  lastLoginAt: string | null;
  erasureScheduledFor: string | null;
  createdAt: string;
  updatedAt: string;
}

export const toProfile = (row: CustomerRow, roles: string[]): Profile => ({
  id: row.id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  phone: row.phone,
  status: row.status,
  emailVerified: row.email_verified_at !== null,
  roles,
  version: row.version,
  lastLoginAt: row.last_login_at?.toISOString() ?? null,
  erasureScheduledFor: row.erase_after?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** The signed-in customer's row; anything else (erased, unknown) reads as not found. */
export async function ownRow(deps: CustomerDeps, customerId: string): Promise<CustomerRow> {
  const row = await repo.findById(deps.db, customerId);
  if (!row || row.status === 'deleted') throw notFound('Customer');
  return row;
}

export async function getProfile(deps: CustomerDeps, customerId: string): Promise<Profile> {
  const row = await ownRow(deps, customerId);
  return toProfile(row, (await repo.rolesOf(deps.db, [row.id])).get(row.id) ?? []);
}

/**
 * Profile change with optimistic locking (CS-P0-01): one conditional UPDATE on `version`; a stale
 * version changes nothing and is 409 conflict. The event names the changed fields only (G10).
 */
export async function updateProfile(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
  input: ProfilePatchInput,
  expectedVersion: number | undefined,
): Promise<Profile> {
  if (expectedVersion === undefined)
    throw validationFailed('Send the profile version (body version or If-Match) to change it', [
      { path: 'body.version', message: 'is required (or the If-Match header)' },
    ]);
  const changes = validateProfilePatch(input);
  const now = deps.clock.now();
  const row = await transaction(deps.db, async (tx) => {
    const updated = await tx
      .updateTable('customers')
      .set({
        ...(changes.firstName !== undefined ? { first_name: changes.firstName } : {}),
        ...(changes.lastName !== undefined ? { last_name: changes.lastName } : {}),
        ...(changes.phone !== undefined ? { phone: changes.phone } : {}),
        version: expectedVersion + 1,
        updated_at: now,
      })
      .where('id', '=', customerId)
      .where('version', '=', expectedVersion)
      .where('status', '<>', 'deleted')
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      const current = await repo.findById(tx, customerId);
      if (!current || current.status === 'deleted') throw notFound('Customer');
      throw conflict(
        `The profile was changed meanwhile (version ${current.version}, you sent ${expectedVersion}); reload and retry`,
      );
    }
    await publish(tx, 'customer.updated', customerId, {
      customerId,
      changedFields: Object.keys(changes),
      occurredAt: now.toISOString(),
    });
    return updated;
  });
  ctx.logger.info(
    { customerId, fields: Object.keys(changes), actor: actorId(ctx) },
    'customer profile updated',
  );
  return toProfile(row, (await repo.rolesOf(deps.db, [row.id])).get(row.id) ?? []);
}

/**
 * GDPR erasure request: from now on the account cannot log in and its sessions end; after the
 * grace period the cleanup job anonymizes it in one transaction and publishes customer.deleted.
 * Asking twice keeps the first schedule.
 */
export async function requestErasure(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
): Promise<{ eraseAfter: string }> {
  const now = deps.clock.now();
  const eraseAfter = new Date(now.getTime() + deps.settings.erasureGraceHours * 3_600_000);
  const scheduled = await transaction(deps.db, async (tx) => {
    const row = await repo.lockById(tx, customerId);
    if (!row || row.status === 'deleted') throw notFound('Customer');
    if (row.erase_after) return row.erase_after;
    await tx
      .updateTable('customers')
      .set({ erasure_requested_at: now, erase_after: eraseAfter, updated_at: now })
      .where('id', '=', customerId)
      .execute();
    await repo.audit(tx, {
      customerId,
      event: 'erasure_requested',
      actor: actorId(ctx),
      now,
      detail: { eraseAfter: eraseAfter.toISOString() },
    });
    return eraseAfter;
  });
  await revokeSessions(ctx, deps, customerId, 'erasure_requested', customerId);
  return { eraseAfter: scheduled.toISOString() };
}
