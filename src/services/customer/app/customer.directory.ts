import { isUuid } from '../../../platform/ids.js';
import { verifyAgainstDummy, verifyPassword } from '../../../platform/security/password.js';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type {
  CredentialCheck,
  DirectoryPrincipal,
  PrincipalDirectory,
} from '../../auth/contract/directory.js';
import { customerRepository as repo } from '../data/customer.repository.js';
import type { CustomerRow } from '../data/tables.js';
import { isPlausibleEmail, normalizeEmail } from '../domain/customer.js';
import { lockEnd, postCheck, preCheck } from '../domain/login-policy.js';
import type { CustomerDeps } from './deps.js';

/**
 * The directory auth consults for `customer` logins (C2, C4): argon2id credentials, lockout kept
 * in the database, email verification and status. Database errors propagate, so a login fails
 * closed (C3). A successful login is not recorded here: `last_login_at` comes only from the
 * `auth.login` consumer (C1).
 */
export function createCustomerDirectory(deps: CustomerDeps): PrincipalDirectory {
  const { db, clock, settings, logger } = deps;

  async function principalOf(row: CustomerRow): Promise<DirectoryPrincipal> {
    const roles = (await repo.rolesOf(db, [row.id])).get(row.id) ?? [];
    return {
      type: 'customer',
      id: row.id,
      roles,
      permissions: await repo.permissionsOf(db, roles),
      permissionsVersion: row.permissions_version,
    };
  }

  async function verifyCredentials(
    type: PrincipalType,
    email: string,
    password: string,
  ): Promise<CredentialCheck> {
    const normalized = normalizeEmail(email);
    const row =
      type === 'customer' && isPlausibleEmail(normalized)
        ? await repo.findByEmail(db, normalized)
        : undefined;
    // Unknown or erased: the same answer and the same argon2 work as a wrong password.
    if (!row || row.status === 'deleted') {
      await verifyAgainstDummy(password);
      return { ok: false, reason: 'invalid_credentials' };
    }
    const now = clock.now();
    const state = {
      status: row.status,
      lockedUntil: row.locked_until,
      erasureRequested: row.erasure_requested_at !== null,
    };
    const locked = preCheck(state, now);
    if (locked) return locked;

    if (!(await verifyPassword(row.password_hash, password))) {
      const lockedNow = await db.transaction().execute(async (tx) => {
        const didLock = await repo.recordFailure(
          tx,
          row.id,
          settings.lockout.maxFailures,
          lockEnd(settings.lockout, now),
          now,
        );
        await repo.audit(tx, { customerId: row.id, event: 'login_failed', actor: 'anonymous', now });
        if (didLock) await repo.audit(tx, { customerId: row.id, event: 'locked', actor: 'system', now });
        return didLock;
      });
      logger.info({ customerId: row.id, locked: lockedNow }, 'customer login failed: wrong password');
      return { ok: false, reason: 'invalid_credentials' };
    }
    const refused = postCheck(state);
    if (refused) return refused;
    await repo.resetFailures(db, row.id);
    return { ok: true, principal: await principalOf(row) };
  }

  async function loadPrincipal(type: PrincipalType, id: string): Promise<DirectoryPrincipal | undefined> {
    if (type !== 'customer' || !isUuid(id)) return undefined;
    const row = await repo.findById(db, id);
    if (row?.status !== 'active' || row.erasure_requested_at) return undefined;
    return principalOf(row);
  }

  async function activeVersion(type: PrincipalType, id: string): Promise<number | undefined> {
    if (type !== 'customer' || !isUuid(id)) return undefined;
    const row = await repo.findById(db, id);
    return row?.status === 'active' && !row.erasure_requested_at ? row.permissions_version : undefined;
  }

  return { types: ['customer'], verifyCredentials, loadPrincipal, activeVersion };
}
