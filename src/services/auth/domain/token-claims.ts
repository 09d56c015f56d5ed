import { z } from 'zod';
import { PRINCIPAL_TYPES, type Principal } from '../../../platform/security/principal.js';
import type { DirectoryPrincipal } from '../contract/directory.js';

/**
 * The private claims of an access token. Roles and permissions come from the principal's
 * directory, never a hard-coded list (seeds' RBAC risk); `pv` lets validation notice a role change
 * made after the token was issued (U3), `sid` ties the token to a revocable session.
 */
export const accessClaimsSchema = z.object({
  sub: z.string().min(1),
  typ: z.enum(PRINCIPAL_TYPES),
  roles: z.array(z.string()),
  perms: z.array(z.string()),
  pv: z.number().int(),
  sid: z.uuid(),
});

export type AccessClaims = z.infer<typeof accessClaimsSchema>;

export const claimsFor = (principal: DirectoryPrincipal, sessionId: string): AccessClaims => ({
  sub: principal.id,
  typ: principal.type,
  roles: principal.roles,
  perms: principal.permissions,
  pv: principal.permissionsVersion,
  sid: sessionId,
});

export const principalFrom = (claims: AccessClaims): Principal => ({
  type: claims.typ,
  id: claims.sub,
  roles: claims.roles,
  permissions: claims.perms,
  permissionsVersion: claims.pv,
  sessionId: claims.sid,
});
