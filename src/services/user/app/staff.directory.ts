import type { Clock } from '../../../platform/clock.js';
import { isUuid } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logging/logger.js';
import { verifyAgainstDummy, verifyPassword } from '../../../platform/security/password.js';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type {
  CredentialCheck,
  DirectoryPrincipal,
  PrincipalDirectory,
} from '../../auth/contract/directory.js';
import type { RoleRepository } from '../data/role.repository.js';
import type { StaffUserRepository } from '../data/staff-user.repository.js';
import { type LockoutPolicy, lockEnd, postCheck, preCheck } from '../domain/login-policy.js';
import { isStaffType, normalizeEmail } from '../domain/staff-user.js';
import { toStaffUser } from './staff-user.view.js';

export interface StaffDirectoryDeps {
  users: StaffUserRepository;
  roles: RoleRepository;
  clock: Clock;
  policy: LockoutPolicy;
  logger: Logger;
}

/**
 * The staff directory auth consults for `admin` and `shipper` logins: credentials (argon2id),
 * lockout stored in the database (C2) and status. Errors reaching the database propagate, so a
 * login fails closed (C3) rather than letting anyone in.
 */
export function createStaffDirectory(deps: StaffDirectoryDeps): PrincipalDirectory {
  const { users, roles, clock, policy, logger } = deps;

  async function verifyCredentials(
    type: PrincipalType,
    email: string,
    password: string,
  ): Promise<CredentialCheck> {
    const row = await users.findByEmail(normalizeEmail(email));
    // Unknown email or a login type that does not match the account: same answer and the same
    // argon2 work as a wrong password, so neither reveals that the account exists.
    if (!row || row.type !== type) {
      await verifyAgainstDummy(password);
      return { ok: false, reason: 'invalid_credentials' };
    }
    const now = clock.now();
    const locked = preCheck({ status: row.status, lockedUntil: row.locked_until }, now);
    if (locked) return locked;

    if (!(await verifyPassword(row.password_hash, password))) {
      await users.recordFailure(row.id, policy.maxFailures, lockEnd(policy, now), now);
      logger.info({ userId: row.id }, 'staff login failed: wrong password');
      return { ok: false, reason: 'invalid_credentials' };
    }
    const disabled = postCheck({ status: row.status, lockedUntil: row.locked_until });
    if (disabled) return disabled;
    await users.resetFailures(row.id);
    const user = await toStaffUser(row, users, roles);
    return {
      ok: true,
      principal: {
        type: row.type,
        id: row.id,
        roles: user.roles,
        permissions: user.permissions,
        permissionsVersion: user.permissionsVersion,
      },
    };
  }

  async function loadPrincipal(type: PrincipalType, id: string): Promise<DirectoryPrincipal | undefined> {
    if (!isStaffType(type) || !isUuid(id)) return undefined;
    const row = await users.findById(id);
    if (!row || row.type !== type || row.status !== 'active') return undefined;
    const user = await toStaffUser(row, users, roles);
    return {
      type: row.type,
      id: row.id,
      roles: user.roles,
      permissions: user.permissions,
      permissionsVersion: user.permissionsVersion,
    };
  }

  async function activeVersion(type: PrincipalType, id: string): Promise<number | undefined> {
    if (!isStaffType(type) || !isUuid(id)) return undefined;
    const row = await users.findById(id);
    return row && row.type === type && row.status === 'active' ? row.permissions_version : undefined;
  }

  return { types: ['admin', 'shipper'], verifyCredentials, loadPrincipal, activeVersion };
}
