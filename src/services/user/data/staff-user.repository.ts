import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { StaffStatus } from '../domain/staff-user.js';
import type { StaffUserRow, StaffUsersTable, UserDB } from './tables.js';

/** Staff accounts and their role assignments. Methods take an optional transaction (conventions §6). */
export interface StaffUserRepository {
  findById(id: string, trx?: Kysely<UserDB>): Promise<StaffUserRow | undefined>;
  findByEmail(email: string): Promise<StaffUserRow | undefined>;
  /** Inserts unless the email is taken; returns false on a conflict (the unique key decides, A5). */
  insert(
    trx: Transaction<UserDB>,
    row: Insertable<StaffUsersTable>,
    roles: readonly string[],
  ): Promise<boolean>;
  anyExists(trx?: Kysely<UserDB>): Promise<boolean>;
  /** Keyset page in id (creation) order. */
  list(options: { limit: number; afterId?: string; status?: StaffStatus }): Promise<StaffUserRow[]>;
  rolesOf(userIds: readonly string[], trx?: Kysely<UserDB>): Promise<Map<string, string[]>>;
  /**
   * Counts a failed login in one statement; locks when the count reaches the limit and starts the
   * count again for after the lock (C2). Concurrent failures each count: no read-modify-write.
   */
  recordFailure(id: string, maxFailures: number, lockUntil: Date, now: Date): Promise<void>;
  resetFailures(id: string): Promise<void>;
  /** Updates name/status unless the account is already deleted; undefined when nothing matched. */
  update(
    id: string,
    patch: { name?: string; status?: StaffStatus },
    now: Date,
    trx?: Kysely<UserDB>,
  ): Promise<StaffUserRow | undefined>;
  /** Bumps permissions_version (U3) and takes the row lock that serializes role changes. */
  bumpPermissionsVersion(trx: Transaction<UserDB>, id: string, now: Date): Promise<StaffUserRow | undefined>;
  replaceRoles(trx: Transaction<UserDB>, id: string, roles: readonly string[]): Promise<void>;
  /**
   * Serializes every change that can take administrators away (suspend, delete, role change) until
   * the transaction ends, so two of them cannot both see "another admin is left".
   */
  lockAdministrators(trx: Transaction<UserDB>): Promise<void>;
  /** Active accounts other than `exceptId` holding `role`. */
  countActiveWithRole(trx: Transaction<UserDB>, role: string, exceptId: string): Promise<number>;
  /** Sets a new password hash and clears the lockout, unless the account is deleted. */
  setPassword(
    trx: Transaction<UserDB>,
    id: string,
    passwordHash: string,
    now: Date,
  ): Promise<StaffUserRow | undefined>;
}

export function createStaffUserRepository(db: Kysely<UserDB>): StaffUserRepository {
  return {
    findById: (id, trx = db) =>
      trx.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst(),

    findByEmail: (email) =>
      db.selectFrom('staff_users').selectAll().where('email', '=', email).executeTakeFirst(),

    async insert(trx, row, roles) {
      const inserted = await trx
        .insertInto('staff_users')
        .values(row)
        .onConflict((oc) => oc.column('email').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      if (roles.length > 0)
        await trx
          .insertInto('user_roles')
          .values(roles.map((role) => ({ user_id: row.id, role })))
          .execute();
      return true;
    },

    async anyExists(trx = db) {
      const row = await trx.selectFrom('staff_users').select('id').limit(1).executeTakeFirst();
      return row !== undefined;
    },

    list({ limit, afterId, status }) {
      let query = db.selectFrom('staff_users').selectAll().orderBy('id').limit(limit);
      if (afterId) query = query.where('id', '>', afterId);
      if (status) query = query.where('status', '=', status);
      return query.execute();
    },

    async rolesOf(userIds, trx = db) {
      const result = new Map<string, string[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return result;
      const rows = await trx
        .selectFrom('user_roles')
        .select(['user_id', 'role'])
        .where('user_id', 'in', userIds)
        .orderBy('role')
        .execute();
      for (const row of rows) result.get(row.user_id)?.push(row.role);
      return result;
    },

    async recordFailure(id, maxFailures, lockUntil, now) {
      const reached = sql<boolean>`failed_attempts + 1 >= ${maxFailures}`;
      await db
        .updateTable('staff_users')
        .set({
          failed_attempts: sql`CASE WHEN ${reached} THEN 0 ELSE failed_attempts + 1 END`,
          locked_until: sql`CASE WHEN ${reached} THEN ${lockUntil}::timestamptz ELSE locked_until END`,
        })
        .where('id', '=', id)
        // A failure that raced a lock being set must not extend or reset it.
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .execute();
    },

    async resetFailures(id) {
      await db
        .updateTable('staff_users')
        .set({ failed_attempts: 0, locked_until: null })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('failed_attempts', '>', 0), eb('locked_until', 'is not', null)]))
        .execute();
    },

    update(id, patch, now, trx = db) {
      return trx
        .updateTable('staff_users')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.status === 'deleted' ? { deleted_at: now } : {}),
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', '<>', 'deleted')
        .returningAll()
        .executeTakeFirst();
    },

    bumpPermissionsVersion: (trx, id, now) =>
      trx
        .updateTable('staff_users')
        .set({ permissions_version: sql`permissions_version + 1`, updated_at: now })
        .where('id', '=', id)
        .where('status', '<>', 'deleted')
        .returningAll()
        .executeTakeFirst(),

    async replaceRoles(trx, id, roles) {
      await trx.deleteFrom('user_roles').where('user_id', '=', id).execute();
      if (roles.length > 0)
        await trx
          .insertInto('user_roles')
          .values([...new Set(roles)].map((role) => ({ user_id: id, role })))
          .execute();
    },

    async lockAdministrators(trx) {
      await sql`select pg_advisory_xact_lock(hashtext('orderline:user:administrators'))`.execute(trx);
    },

    async countActiveWithRole(trx, role, exceptId) {
      const row = await trx
        .selectFrom('staff_users')
        .innerJoin('user_roles', 'user_roles.user_id', 'staff_users.id')
        .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
        .where('user_roles.role', '=', role)
        .where('staff_users.status', '=', 'active')
        .where('staff_users.id', '<>', exceptId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    setPassword: (trx, id, passwordHash, now) =>
      trx
        .updateTable('staff_users')
        .set({ password_hash: passwordHash, failed_attempts: 0, locked_until: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '<>', 'deleted')
        .returningAll()
        .executeTakeFirst(),
  };
}
