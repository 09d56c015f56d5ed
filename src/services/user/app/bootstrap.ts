import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Config } from '../../../platform/config/config.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logging/logger.js';
import { hashPassword } from '../../../platform/security/password.js';
import type { StaffUserRepository } from '../data/staff-user.repository.js';
import type { UserDB } from '../data/tables.js';
import { normalizeEmail } from '../domain/staff-user.js';

export const DEV_ADMIN_EMAIL = 'admin@orderline.local';

export interface BootstrapDeps {
  db: Kysely<UserDB>;
  users: StaffUserRepository;
  clock: Clock;
  config: Pick<Config, 'ORDERLINE_ADMIN_EMAIL' | 'ORDERLINE_ADMIN_PASSWORD' | 'isProduction'>;
  logger: Logger;
}

/**
 * Creates the first admin when no staff account exists (03-api Bootstrap). Several processes may
 * start at once: an advisory lock held for the transaction makes one of them create the admin
 * while the others wait and then find it; the unique email is the last line of defence (A5).
 * Returns the id of the admin created, or undefined when staff already existed.
 */
export async function bootstrapAdmin(deps: BootstrapDeps): Promise<string | undefined> {
  const { config, logger } = deps;
  if (config.isProduction && (!config.ORDERLINE_ADMIN_EMAIL || !config.ORDERLINE_ADMIN_PASSWORD))
    throw new Error('ORDERLINE_ADMIN_EMAIL and ORDERLINE_ADMIN_PASSWORD are required in production');
  if (await deps.users.anyExists()) return undefined;

  const generated = !config.ORDERLINE_ADMIN_PASSWORD;
  const email = normalizeEmail(config.ORDERLINE_ADMIN_EMAIL ?? DEV_ADMIN_EMAIL);
  const password = config.ORDERLINE_ADMIN_PASSWORD ?? randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const id = newId();

  const created = await deps.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('orderline:user:bootstrap-admin'))`.execute(trx);
    if (await deps.users.anyExists(trx)) return false;
    const row = {
      id,
      email,
      name: 'Administrator',
      type: 'admin' as const,
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
      locked_until: null,
      deleted_at: null,
    };
    return deps.users.insert(trx, row, ['admin']);
  });
  if (!created) return undefined;

  if (generated) {
    // Printed once, on purpose: this is the only way to learn the generated password. The message
    // is the log line itself so the logger's `password` redaction does not hide it.
    logger.warn(
      `No ORDERLINE_ADMIN_EMAIL/ORDERLINE_ADMIN_PASSWORD set: created the development admin ${email} with password ${password} — it is shown only this once; set ORDERLINE_ADMIN_PASSWORD for a stable one`,
    );
  } else {
    logger.info({ userId: id }, 'bootstrap admin created from ORDERLINE_ADMIN_EMAIL');
  }
  return id;
}
