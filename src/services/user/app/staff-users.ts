import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid, newId } from '../../../platform/ids.js';
import { hashPassword } from '../../../platform/security/password.js';
import type { StaffUser } from '../contract/client.js';
import type { RoleRecord, RoleRepository } from '../data/role.repository.js';
import type { StaffUserRepository } from '../data/staff-user.repository.js';
import type { UserDB } from '../data/tables.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { unknownRoles } from '../domain/roles.js';
import {
  assertMutable,
  assertTransition,
  defaultRolesFor,
  normalizeEmail,
  type StaffStatus,
  type StaffType,
} from '../domain/staff-user.js';
import { toStaffUser, toStaffUsers } from './staff-user.view.js';

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
        return toStaffUser((await users.findById(id, trx))!, users, roles, trx);
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

    async update(ctx: Ctx, id: string, patch: StaffUserPatch): Promise<StaffUser> {
      const current = await load(id);
      assertMutable(current.status);
      if (patch.status && patch.status !== current.status) {
        assertTransition(current.status, patch.status);
        if (patch.status === 'suspended') assertNotSelf(ctx, id, 'suspend');
      }
      const row = await users.update(id, { name: patch.name, status: patch.status }, clock.now());
      // Deleted between our read and the update: the conditional update refused it.
      if (!row) throw new AppError('conflict', 'invalid_transition', 'A deleted account cannot be changed');
      ctx.logger.info({ userId: id, status: row.status, by: actorId(ctx) }, 'staff user updated');
      return toStaffUser(row, users, roles);
    },

    /**
     * Soft delete (U1): the row stays for audit with status `deleted`; the directory stops loading
     * the principal at once, so the gateway refuses every token of the account from now on.
     */
    async remove(ctx: Ctx, id: string): Promise<void> {
      const current = await load(id);
      if (current.status === 'deleted') return;
      assertNotSelf(ctx, id, 'delete');
      await users.update(id, { status: 'deleted' }, clock.now());
      ctx.logger.info({ userId: id, by: actorId(ctx) }, 'staff user deleted');
    },

    async setRoles(ctx: Ctx, id: string, requested: readonly string[]): Promise<StaffUser> {
      if (!isUuid(id)) throw notFound('User', id);
      const unique = [...new Set(requested)];
      const user = await db.transaction().execute(async (trx) => {
        // The bump comes first: its row lock serializes concurrent role changes of one user (U3).
        const row = await users.bumpPermissionsVersion(trx, id, clock.now());
        if (!row) {
          if (await users.findById(id, trx)) assertMutable('deleted');
          throw notFound('User', id);
        }
        await assertRolesExist(unique, trx);
        await users.replaceRoles(trx, id, unique);
        return toStaffUser(row, users, roles, trx);
      });
      ctx.logger.info({ userId: id, roles: unique, by: actorId(ctx) }, 'staff user roles set');
      return user;
    },

    listRoles: (_ctx: Ctx): Promise<RoleRecord[]> => roles.list(),
  };
}

export type StaffUserService = ReturnType<typeof createStaffUserService>;
