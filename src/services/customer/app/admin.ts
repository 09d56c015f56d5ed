import { sql } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { publish, transaction } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import type { CustomerRow } from '../data/tables.js';
import {
  assertTransition,
  type CustomerStatus,
  isPlausibleEmail,
  normalizeEmail,
} from '../domain/customer.js';
import type { CustomerDeps } from './deps.js';
import { type Profile, toProfile } from './profile.js';
import { revokeSessions } from './sessions.js';
import { type CustomerStatsView, statsOf } from './stats.js';

export interface AdminCustomer extends Profile {
  failedLogins: number;
  lockedUntil: string | null;
  permissionsVersion: number;
  registrationSource: string;
}

const toAdmin = (row: CustomerRow, roles: string[]): AdminCustomer => ({
  ...toProfile(row, roles),
  failedLogins: row.failed_attempts,
  lockedUntil: row.locked_until?.toISOString() ?? null,
  permissionsVersion: row.permissions_version,
  registrationSource: row.registration_source,
});

export async function listCustomers(
  deps: CustomerDeps,
  q: {
    limit: number;
    beforeId?: string | undefined;
    status?: CustomerStatus | undefined;
    email?: string | undefined;
  },
): Promise<{ items: AdminCustomer[]; lastId: string | null }> {
  const email = q.email === undefined ? undefined : normalizeEmail(q.email);
  // No account has an implausible email: answer the empty page without querying (G8).
  if (email !== undefined && !isPlausibleEmail(email)) return { items: [], lastId: null };
  const rows = await repo.list(deps.db, {
    limit: q.limit + 1,
    beforeId: q.beforeId,
    status: q.status,
    email,
  });
  const page = rows.slice(0, q.limit);
  const roles = await repo.rolesOf(
    deps.db,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) => toAdmin(r, roles.get(r.id) ?? [])),
    lastId: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** One customer for admins, with their order statistics. */
export async function getCustomer(
  deps: CustomerDeps,
  id: string,
): Promise<AdminCustomer & { stats: CustomerStatsView }> {
  const row = isUuid(id) ? await repo.findById(deps.db, id) : undefined;
  if (!row) throw notFound('Customer', id.slice(0, 64));
  const roles = (await repo.rolesOf(deps.db, [row.id])).get(row.id) ?? [];
  return { ...toAdmin(row, roles), stats: await statsOf(deps.db, row.id) };
}

/**
 * Admin status change: suspend, reactivate, or verify a pending account by hand. Reactivating
 * an account with a pending erasure request cancels the request (what the grace period is for).
 * `deleted` is reached only through erasure.
 */
export async function setStatus(
  ctx: Ctx,
  deps: CustomerDeps,
  id: string,
  input: { status: 'active' | 'suspended'; reason: string },
): Promise<AdminCustomer> {
  if (!isUuid(id)) throw notFound('Customer', id.slice(0, 64));
  const now = deps.clock.now();
  const { row, changed } = await transaction(deps.db, async (tx) => {
    const current = await repo.lockById(tx, id);
    if (!current) throw notFound('Customer', id);
    const cancelsErasure =
      input.status === 'active' && current.erasure_requested_at !== null && current.status !== 'deleted';
    if (current.status === input.status && !cancelsErasure) return { row: current, changed: false };
    if (current.status !== input.status) assertTransition(current.status, input.status);
    const updated = await tx
      .updateTable('customers')
      .set({
        status: input.status,
        ...(input.status === 'active' && current.status === 'pending_verification'
          ? { email_verified_at: now }
          : {}),
        ...(cancelsErasure ? { erasure_requested_at: null, erase_after: null } : {}),
        version: current.version + 1,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const actor = actorId(ctx);
    if (cancelsErasure)
      await repo.audit(tx, {
        customerId: id,
        event: 'erasure_cancelled',
        actor,
        now,
        detail: { reason: input.reason },
      });
    if (current.status !== input.status) {
      await repo.audit(tx, {
        customerId: id,
        event: 'status_changed',
        actor,
        now,
        detail: { from: current.status, to: input.status, reason: input.reason },
      });
      await publish(tx, 'customer.status_changed', id, {
        customerId: id,
        oldStatus: current.status,
        newStatus: input.status,
        occurredAt: now.toISOString(),
      });
    }
    return { row: updated, changed: current.status !== input.status };
  });
  if (changed && input.status === 'suspended')
    await revokeSessions(ctx, deps, id, 'suspended', `${id}:${now.getTime()}`);
  ctx.logger.info({ customerId: id, status: input.status, actor: actorId(ctx) }, 'customer status set');
  return toAdmin(row, (await repo.rolesOf(deps.db, [id])).get(id) ?? []);
}

/** Replaces a customer's roles; unknown roles are 400; permissions_version is bumped atomically. */
export async function setRoles(
  ctx: Ctx,
  deps: CustomerDeps,
  id: string,
  roles: string[],
): Promise<AdminCustomer> {
  if (!isUuid(id)) throw notFound('Customer', id.slice(0, 64));
  const wanted = [...new Set(roles)];
  const known = await repo.knownRoles(deps.db, wanted);
  const unknown = wanted.filter((r) => !known.has(r));
  if (unknown.length > 0)
    throw validationFailed(`Unknown role(s): ${unknown.join(', ')}`, [
      { path: 'body.roles', message: `unknown: ${unknown.join(', ')}` },
    ]);
  const now = deps.clock.now();
  const row = await transaction(deps.db, async (tx) => {
    const updated = await tx
      .updateTable('customers')
      .set({ permissions_version: sql`permissions_version + 1`, updated_at: now })
      .where('id', '=', id)
      .where('status', '<>', 'deleted')
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw notFound('Customer', id);
    await repo.replaceRoles(tx, id, wanted);
    await repo.audit(tx, {
      customerId: id,
      event: 'roles_changed',
      actor: actorId(ctx),
      now,
      detail: { roles: wanted },
    });
    return updated;
  });
  return toAdmin(row, wanted.sort());
}
