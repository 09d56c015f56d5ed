/** Role names that are requested but do not exist (U4: never rely on a foreign key to say so). */
export function unknownRoles(requested: readonly string[], existing: readonly string[]): string[] {
  const known = new Set(existing);
  return [...new Set(requested)].filter((r) => !known.has(r));
}

/** The distinct, sorted union of the permissions of several roles. */
export function mergePermissions(rolePermissions: readonly (readonly string[])[]): string[] {
  return [...new Set(rolePermissions.flat())].sort();
}

/** The role whose holders run the staff directory; at least one active holder must remain. */
export const ADMIN_ROLE = 'admin';

export interface AdministratorState {
  status: 'active' | 'suspended' | 'deleted';
  roles: readonly string[];
}

export const isActiveAdministrator = (s: AdministratorState): boolean =>
  s.status === 'active' && s.roles.includes(ADMIN_ROLE);

/**
 * True when a change turns an active administrator into something else — suspended, deleted or
 * stripped of the admin role — which the last-admin guard must check (409 last_admin).
 */
export const removesAdministrator = (before: AdministratorState, after: AdministratorState): boolean =>
  isActiveAdministrator(before) && !isActiveAdministrator(after);
