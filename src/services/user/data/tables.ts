import type { ColumnType, Generated, Selectable } from 'kysely';
import type { StaffStatus, StaffType } from '../domain/staff-user.js';

/** Kysely table types of the `user` schema (data/migrations). */
export interface StaffUsersTable {
  id: string;
  email: string;
  name: string;
  type: StaffType;
  status: ColumnType<StaffStatus, StaffStatus | undefined, StaffStatus>;
  password_hash: string;
  failed_attempts: Generated<number>;
  locked_until: Date | null;
  permissions_version: Generated<number>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface RolesTable {
  name: string;
  description: string;
  created_at: Generated<Date>;
}

export interface RolePermissionsTable {
  role: string;
  permission: string;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
}

export interface UserDB {
  staff_users: StaffUsersTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
}

export type StaffUserRow = Selectable<StaffUsersTable>;
