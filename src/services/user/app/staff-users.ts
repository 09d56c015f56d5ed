import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid, newId } from '../../../platform/ids.js';
import { hashPassword } from '../../../platform/security/password.js';
import type { AuthClient } from '../../auth/contract/client.js';
import type { StaffUser } from '../contract/client.js';
import type { RoleRecord, RoleRepository } from '../data/role.repository.js';
import type { StaffUserRepository } from '../data/staff-user.repository.js';
import type { StaffUserRow, UserDB } from '../data/tables.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { ADMIN_ROLE, type AdministratorState, removesAdministrator, unknownRoles } from '../domain/roles.js';
import {
  assertMutable,
  assertTransition,
  defaultRolesFor,
  normalizeEmail,
  type StaffStatus,
  type StaffType,
} from '../domain/staff-user.js';
import { toStaffUser, toStaffUsers } from './staff-user.view.js';
import { publishUserEvent } from './user.events.js';

export interface NewStaffUser {
  email: string;
  name: string;
  type: StaffType;
  password: string;
  roles?: string[] | undefined;
}

export interface StaffUserPatch {
  name?: string | undefined;
  status?: 'active' | 'suspended' | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface StaffUserDeps {
  db: Kysely<UserDB>;
  users: StaffUserRepository;
  roles: RoleRepository;
  clock: Clock;
  /**
   * The auth service, resolved per call: it is built after this one (it needs the staff directory).
   * Undefined when auth does not run in this deployment.
   */
  auth: () => Pick<AuthClient, 'passwordChanged'> | undefined;
}

/** The admin use cases of the staff directory. Each takes the request context first (§14). */
export function createStaffUserService(deps: StaffUserDeps) {
  const { db, users, roles, clock } = deps;

  /** U4: name every unknown role in a 400 instead of relying on a foreign-key error. */
  async function assertRolesExist(requested: readonly string[], trx: Kysely<UserDB>): Promise<void> {
    const missing = unknownRoles(requested, await roles.existing(requested, trx));
    if (missing.length > 0)
      throw validationFailed(
        `Unknown role(s): ${missing.join(', ')}`,
        missing.map((role) => ({ path: 'body.roles', message: `role ${role} does not exist` })),
      );
  }

  async function load(id: string): Promise<StaffUser> {
    const row = isUuid(id) ? await users.findById(id) : undefined;
    if (!row) throw notFound('User', id);
    return toStaffUser(row, users, roles);
  }

  /**
   * The account and its roles inside `trx`, after taking the administrators lock: every change
   * below that could remove an administrator runs behind it, so the last-admin check cannot race.
   */
  async function lockedState(trx: Transaction<UserDB>, id: string) {
    await users.lockAdministrators(trx);
    const row = isUuid(id) ? await users.findById(id, trx) : undefined;
    if (!row) throw notFound('User', id);
    const current: AdministratorState = {
      status: row.status,
      roles: (await users.rolesOf([id], trx)).get(id) ?? [],
    };
    return { row, current };
  }

  /** 409 last_admin when `after` would leave no active account holding the admin role. */
  async function guardLastAdmin(
    trx: Transaction<UserDB>,
    id: string,
    before: AdministratorState,
    after: AdministratorState,
  ): Promise<void> {
    if (removesAdministrator(before, after) && (await users.countActiveWithRole(trx, ADMIN_ROLE, id)) === 0)
      throw conflict(
        'This is the last active administrator; make another account an administrator first',
        'last_admin',
      );
  }

  /** An admin cannot lock themselves out by suspending or deleting their own account. */
  function assertNotSelf(ctx: Ctx, id: string, what: string): void {
    if (ctx.actor && ctx.actor.type !== 'system' && ctx.actor.id === id)
      throw conflict(`You cannot ${what} your own account`, 'self_modification');
  }

  return {
    async create(ctx: Ctx, input: NewStaffUser): Promise<StaffUser> {
      const email = normalizeEmail(input.email);
      const requestedRoles = [...new Set(input.roles ?? defaultRolesFor(input.type))];
      const passwordHash = await hashPassword(input.password);
      const now = clock.now();
      const id = newId();
      const user = await db.transaction().execute(async (trx) => {
        await assertRolesExist(requestedRoles, trx);
        const row = {
          id,
          email,
          name: input.name,
          type: input.type,
          password_hash: passwordHash,
          created_at: now,
          updated_at: now,
          locked_until: null,
          deleted_at: null,
        };
        if (!(await users.insert(trx, row, requestedRoles)))
          throw conflict(`A staff account with email ${email} already exists`, 'email_taken');
        const created = (await users.findById(id, trx))!;
        await publishUserEvent(trx, ctx, 'user.created', created, now);
        return toStaffUser(created, users, roles, trx);
      });
      ctx.logger.info(
        { userId: id, type: input.type, roles: requestedRoles, by: actorId(ctx) },
        'staff user created',
      );
      return user;
    },

    async list(
      _ctx: Ctx,
      query: { limit: number; cursor?: string | undefined; status?: StaffStatus | undefined },
    ): Promise<Page<StaffUser>> {
      const afterId = query.cursor ? decodeCursor(query.cursor) : undefined;
      // One extra row tells whether another page exists without a COUNT.
      const rows = await users.list({
        limit: query.limit + 1,
        ...(afterId ? { afterId } : {}),
        ...(query.status ? { status: query.status } : {}),
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: await toStaffUsers(page, users, roles),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
      };
    },

    get: (_ctx: Ctx, id: string): Promise<StaffUser> => load(id),

    /** Rename → `user.updated`; suspend/reactivate → `user.status_changed` (auth then revokes). */
    async update(ctx: Ctx, id: string, patch: StaffUserPatch): Promise<StaffUser> {
      const now = clock.now();
      const user = await db.transaction().execute(async (trx) => {
        const { row: before, current } = await lockedState(trx, id);
        assertMutable(before.status);
        const statusChanges = patch.status !== undefined && patch.status !== before.status;
        if (statusChanges) {
          assertTransition(before.status, patch.status!);
          if (patch.status === 'suspended') assertNotSelf(ctx, id, 'suspend');
          await guardLastAdmin(trx, id, current, { ...current, status: patch.status! });
        }
        const row = await users.update(id, { name: patch.name, status: patch.status }, now, trx);
        if (!row) throw new AppError('conflict', 'invalid_transition', 'A deleted account cannot be changed');
        if (patch.name !== undefined && patch.name !== before.name)
          await publishUserEvent(trx, ctx, 'user.updated', row, now);
        if (statusChanges) await publishUserEvent(trx, ctx, 'user.status_changed', row, now);
        return toStaffUser(row, users, roles, trx);
      });
      ctx.logger.info({ userId: id, status: user.status, by: actorId(ctx) }, 'staff user updated');
      return user;
    },

    /**
     * Soft delete (U1): the row stays for audit with status `deleted`; the directory stops loading
     * the principal at once, so the gateway refuses every token of the account from now on, and
     * `user.deleted` (U8) makes auth revoke its sessions.
     */
    async remove(ctx: Ctx, id: string): Promise<void> {
      const now = clock.now();
      const deleted = await db.transaction().execute(async (trx) => {
        const { row: before, current } = await lockedState(trx, id);
        if (before.status === 'deleted') return false;
        assertNotSelf(ctx, id, 'delete');
        await guardLastAdmin(trx, id, current, { ...current, status: 'deleted' });
        const row = await users.update(id, { status: 'deleted' }, now, trx);
        if (!row) return false;
        await publishUserEvent(trx, ctx, 'user.deleted', row, now);
        return true;
      });
      if (deleted) ctx.logger.info({ userId: id, by: actorId(ctx) }, 'staff user deleted');
    },

    async setRoles(ctx: Ctx, id: string, requested: readonly string[]): Promise<StaffUser> {
      if (!isUuid(id)) throw notFound('User', id);
      const unique = [...new Set(requested)];
      const now = clock.now();
      const user = await db.transaction().execute(async (trx) => {
        const { row: before, current } = await lockedState(trx, id);
        assertMutable(before.status);
        await assertRolesExist(unique, trx);
        await guardLastAdmin(trx, id, current, { ...current, roles: unique });
        // U3: one atomic increment per change, under the row lock it takes.
        const row = await users.bumpPermissionsVersion(trx, id, now);
        if (!row) throw new AppError('conflict', 'invalid_transition', 'A deleted account cannot be changed');
        await users.replaceRoles(trx, id, unique);
        await publishUserEvent(trx, ctx, 'user.updated', row, now);
        return toStaffUser(row, users, roles, trx);
      });
      ctx.logger.info({ userId: id, roles: unique, by: actorId(ctx) }, 'staff user roles set');
      return user;
    },

    /**
     * An administrator sets a staff member's password: the lockout is cleared, then auth revokes
     * every session and publishes `auth.password_changed` (reason `reset`). Without auth in the
     * deployment nothing could be revoked or announced, so nothing is changed either (503).
     */
    async resetPassword(ctx: Ctx, id: string, password: string): Promise<void> {
      const auth = deps.auth();
      if (!auth)
        throw new AppError(
          'unavailable',
          'auth_unavailable',
          'The auth service is not enabled in this process',
        );
      if (!isUuid(id)) throw notFound('User', id);
      const passwordHash = await hashPassword(password);
      const row: StaffUserRow = await db.transaction().execute(async (trx) => {
        const updated = await users.setPassword(trx, id, passwordHash, clock.now());
        if (updated) return updated;
        if (await users.findById(id, trx)) assertMutable('deleted');
        throw notFound('User', id);
      });
      // After the commit: a failure here surfaces (5xx) and the reset can be repeated safely.
      const revoked = await auth.passwordChanged(ctx, row.type, id, 'reset');
      ctx.logger.info({ userId: id, revoked, by: actorId(ctx) }, 'staff password reset');
    },

    listRoles: (_ctx: Ctx): Promise<RoleRecord[]> => roles.list(),
  };
}

export type StaffUserService = ReturnType<typeof createStaffUserService>;
