import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, TEST_DATABASES, type TestDatabase } from '../../../../test/databases.js';
import { testConfig } from '../../../../test/harness.js';
import { ManualClock } from '../../../platform/clock.js';
import { createDatabase, type Database } from '../../../platform/db/database.js';
import { migrateSchema, readMigrations } from '../../../platform/db/migrations.js';
import { createLogger } from '../../../platform/logging/logger.js';
import { createMetrics } from '../../../platform/observability/metrics.js';
import type { PrincipalDirectory } from '../../auth/contract/directory.js';
import type { UserDB } from '../data/tables.js';
import { createUserModule } from '../module.js';

const EMAIL = 'lock@example.com';
const PASSWORD = 'the-right-password';

async function open(kind: TestDatabase): Promise<{ database: Database; close: () => Promise<void> }> {
  if (kind === 'pglite') {
    const database = await createDatabase({ dataDir: 'memory' });
    return { database, close: () => database.close() };
  }
  const pg = await createPostgresDatabase();
  const database = await createDatabase({ url: pg.url });
  return {
    database,
    close: async () => {
      await database.close();
      await pg.drop();
    },
  };
}

describe.each(TEST_DATABASES)('staff directory (%s)', (kind) => {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
  let handle: Awaited<ReturnType<typeof open>>;
  let directory: PrincipalDirectory;
  let adminId: string;

  beforeAll(async () => {
    handle = await open(kind);
    await migrateSchema(
      handle.database,
      'user',
      readMigrations(new URL('../data/migrations/', import.meta.url)),
    );
    const module = createUserModule({
      config: testConfig({
        ORDERLINE_ADMIN_EMAIL: EMAIL,
        ORDERLINE_ADMIN_PASSWORD: PASSWORD,
        AUTH_LOGIN_MAX_FAILURES: '3',
        AUTH_LOCKOUT_MINUTES: '15',
      }),
      logger: createLogger({ level: 'silent' }),
      db: handle.database.forSchema<UserDB>('user'),
      database: handle.database,
      clock,
      metrics: createMetrics({ defaults: false }),
    });
    await module.start!({ role: 'all' });
    directory = module.client.directory;
    const check = await directory.verifyCredentials('admin', EMAIL, PASSWORD);
    if (!check.ok) throw new Error('bootstrap admin cannot log in');
    adminId = check.principal.id;
  });
  afterAll(async () => {
    await handle?.close();
  });

  const attempt = (password: string) => directory.verifyCredentials('admin', EMAIL, password);

  it('counts concurrent failures atomically and locks at the limit, then unlocks when the time is up', async () => {
    const failures = await Promise.all([attempt('wrong-1'), attempt('wrong-2'), attempt('wrong-3')]);
    expect(failures.map((f) => !f.ok && f.reason)).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'invalid_credentials',
    ]);

    const locked = await attempt(PASSWORD);
    expect(locked).toEqual({
      ok: false,
      reason: 'account_locked',
      lockedUntil: new Date('2026-03-01T12:15:00Z'),
    });
    // Failures during the lock neither extend it nor count towards the next one.
    expect(await attempt('wrong-4')).toMatchObject({ reason: 'account_locked' });

    clock.advance(15 * 60_000);
    const after = await attempt(PASSWORD);
    expect(after.ok).toBe(true);
  });

  it('needs the full number of failures again after a lock ended', async () => {
    await attempt('wrong-1');
    await attempt('wrong-2');
    expect((await attempt(PASSWORD)).ok).toBe(true);
  });

  it('loads the current claims of an active principal only, for its own type', async () => {
    expect(await directory.loadPrincipal('admin', adminId)).toEqual({
      type: 'admin',
      id: adminId,
      roles: ['admin'],
      permissions: ['*'],
      permissionsVersion: 1,
    });
    expect(await directory.loadPrincipal('shipper', adminId)).toBeUndefined();
    expect(await directory.loadPrincipal('customer', adminId)).toBeUndefined();
    expect(await directory.loadPrincipal('admin', 'not-a-uuid')).toBeUndefined();
    expect(await directory.loadPrincipal('admin', '01900000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('refuses a wrong login type without revealing the account', async () => {
    expect(await directory.verifyCredentials('shipper', EMAIL, PASSWORD)).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
    expect(await directory.verifyCredentials('admin', 'LOCK@Example.com', PASSWORD)).toMatchObject({
      ok: true,
    });
  });
});
