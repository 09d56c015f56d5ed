/**
 * Who is calling. Every authenticated request carries one, whatever directory (staff users,
 * customers) it came from: auth plugs a directory in per principal type.
 */
export const PRINCIPAL_TYPES = ['admin', 'shipper', 'customer'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

export interface Principal {
  type: PrincipalType;
  id: string;
  roles: string[];
  permissions: string[];
  permissionsVersion: number;
  sessionId: string;
}

/** `*` grants everything, `catalog:*` every catalog permission. */
export function hasPermission(granted: readonly string[], required: string): boolean {
  if (granted.includes('*') || granted.includes(required)) return true;
  const [area] = required.split(':');
  return granted.includes(`${area}:*`);
}
