/** Role names that are requested but do not exist (U4: never rely on a foreign key to say so). */
export function unknownRoles(requested: readonly string[], existing: readonly string[]): string[] {
  const known = new Set(existing);
  return [...new Set(requested)].filter((r) => !known.has(r));
}

/** The distinct, sorted union of the permissions of several roles. */
export function mergePermissions(rolePermissions: readonly (readonly string[])[]): string[] {
  return [...new Set(rolePermissions.flat())].sort();
}
