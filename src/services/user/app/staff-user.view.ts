import type { Kysely } from 'kysely';
import type { StaffUser } from '../contract/client.js';
import type { RoleRepository } from '../data/role.repository.js';
import type { StaffUserRepository } from '../data/staff-user.repository.js';
import type { StaffUserRow, UserDB } from '../data/tables.js';
import { mergePermissions } from '../domain/roles.js';

/**
 * Turns rows into the public StaffUser shape (never the password hash), loading roles and
 * permissions for a whole page at once instead of per row (no N+1).
 */
export async function toStaffUsers(
  rows: readonly StaffUserRow[],
  users: StaffUserRepository,
  roles: RoleRepository,
  trx?: Kysely<UserDB>,
): Promise<StaffUser[]> {
  const rolesByUser = await users.rolesOf(
    rows.map((r) => r.id),
    trx,
  );
  const allRoles = [...new Set([...rolesByUser.values()].flat())];
  const permissionsByRole = await roles.permissionsOf(allRoles, trx);
  return rows.map((row) => {
    const userRoles = rolesByUser.get(row.id) ?? [];
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      type: row.type,
      status: row.status,
      roles: userRoles,
      permissions: mergePermissions(userRoles.map((r) => permissionsByRole.get(r) ?? [])),
      permissionsVersion: row.permissions_version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  });
}

export async function toStaffUser(
  row: StaffUserRow,
  users: StaffUserRepository,
  roles: RoleRepository,
  trx?: Kysely<UserDB>,
): Promise<StaffUser> {
  const [user] = await toStaffUsers([row], users, roles, trx);
  return user!;
}
