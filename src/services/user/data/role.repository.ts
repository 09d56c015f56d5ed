import type { Kysely } from 'kysely';
import type { UserDB } from './tables.js';

export interface RoleRecord {
  name: string;
  description: string;
  permissions: string[];
}

/** Roles and their permissions, stored in the database (seeded by 0001_init.sql). */
export interface RoleRepository {
  list(): Promise<RoleRecord[]>;
  /** Which of `names` exist (inside the caller's transaction when given). */
  existing(names: readonly string[], trx?: Kysely<UserDB>): Promise<string[]>;
  permissionsOf(roles: readonly string[], trx?: Kysely<UserDB>): Promise<Map<string, string[]>>;
}

export function createRoleRepository(db: Kysely<UserDB>): RoleRepository {
  const permissionsOf: RoleRepository['permissionsOf'] = async (roles, trx = db) => {
    const result = new Map<string, string[]>(roles.map((r) => [r, []]));
    if (roles.length === 0) return result;
    const rows = await trx
      .selectFrom('role_permissions')
      .select(['role', 'permission'])
      .where('role', 'in', roles)
      .orderBy('permission')
      .execute();
    for (const row of rows) result.get(row.role)?.push(row.permission);
    return result;
  };

  return {
    async list() {
      const roles = await db.selectFrom('roles').select(['name', 'description']).orderBy('name').execute();
      const permissions = await permissionsOf(roles.map((r) => r.name));
      return roles.map((r) => ({ ...r, permissions: permissions.get(r.name) ?? [] }));
    },

    async existing(names, trx = db) {
      if (names.length === 0) return [];
      const rows = await trx.selectFrom('roles').select('name').where('name', 'in', names).execute();
      return rows.map((r) => r.name);
    },

    permissionsOf,
  };
}
