import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, TEST_DATABASES, type TestDatabase } from '../../../../test/databases.js';
import { testConfig } from '../../../../test/harness.js';
import { systemClock } from '../../../platform/clock.js';
import { createDatabase, type Database } from '../../../platform/db/database.js';
import { migrateSchema, readMigrations } from '../../../platform/db/migrations.js';
import { createLogger } from '../../../platform/logging/logger.js';
import { createMetrics } from '../../../platform/observability/metrics.js';
import { createStaffUserRepository } from '../data/staff-user.repository.js';
import type { UserDB } from '../data/tables.js';
import { createUserModule } from '../module.js';
import { bootstrapAdmin, DEV_ADMIN_EMAIL } from './bootstrap.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Opens `count` handles on one fresh database with the user schema migrated (PostgreSQL: separate pools). */
async function openDatabases(kind: TestDatabase, count: number): Promise<Database[]> {
  if (kind === 'pglite') {
    const db = await createDatabase({ dataDir: 'memory' });
    cleanups.push(() => db.close());
    await migrateSchema(db, 'user', readMigrations(new URL('../data/migrations/', import.meta.url)));
    return Array.from({ length: count }, () => db);
  }
  const pg = await createPostgresDatabase();
  cleanups.push(pg.drop);
  const dbs = await Promise.all(
    Array.from({ length: count }, () => createDatabase({ url: pg.url, poolMax: 2 })),
  );
  for (const db of dbs) cleanups.push(() => db.close());
  await migrateSchema(dbs[0]!, 'user', readMigrations(new URL('../data/migrations/', import.meta.url)));
  return dbs;
}

function captureLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

function userModule(database: Database, env: Record<string, string>, logger = captureLogger().logger) {
  return createUserModule({
    config: testConfig(env),
    logger,
    db: database.forSchema<UserDB>('user'),
    database,
    clock: systemClock,
    metrics: createMetrics({ defaults: false }),
  });
}

const countStaff = (database: Database) =>
  database.forSchema<UserDB>('user').selectFrom('staff_users').select(['email', 'type']).execute();

describe.each(TEST_DATABASES)('bootstrap admin (%s)', (kind) => {
  it('creates exactly one admin when several processes start at once', async () => {
    const dbs = await openDatabases(kind, 3);
    const env = {
      ORDERLINE_ADMIN_EMAIL: 'Boss@Example.com',
      ORDERLINE_ADMIN_PASSWORD: 'a-very-long-password',
    };
    await Promise.all(dbs.map((db) => userModule(db, env).start!({ role: 'all' })));
    expect(await countStaff(dbs[0]!)).toEqual([{ email: 'boss@example.com', type: 'admin' }]);

    const module = userModule(dbs[0]!, env);
    const check = await module.client.directory.verifyCredentials(
      'admin',
      'boss@example.com',
      'a-very-long-password',
    );
    expect(check.ok && check.principal.roles).toEqual(['admin']);
  });

  it('in development without settings creates admin@orderline.local and logs its password once, at warn', async () => {
    const [db] = await openDatabases(kind, 1);
    const env = { ORDERLINE_ADMIN_EMAIL: '', ORDERLINE_ADMIN_PASSWORD: '', NODE_ENV: 'development' };
    const first = captureLogger();
    await userModule(db!, env, first.logger).start!({ role: 'all' });
    const warnings = first.lines.filter((l) => l.level === 40 && l.msg.includes(DEV_ADMIN_EMAIL));
    expect(warnings).toHaveLength(1);
    const password = /with password (\S+)/.exec(warnings[0]!.msg)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const second = captureLogger();
    const again = userModule(db!, env, second.logger);
    await again.start!({ role: 'all' });
    expect(second.lines.some((l) => l.msg.includes('password'))).toBe(false);
    expect(await countStaff(db!)).toHaveLength(1);
    const check = await again.client.directory.verifyCredentials('admin', DEV_ADMIN_EMAIL, password!);
    expect(check.ok).toBe(true);
  });

  it('does nothing when a staff account already exists', async () => {
    const [db] = await openDatabases(kind, 1);
    await userModule(db!, {}).start!({ role: 'all' });
    const created = await bootstrapAdmin({
      db: db!.forSchema<UserDB>('user'),
      users: createStaffUserRepository(db!.forSchema<UserDB>('user')),
      clock: systemClock,
      config: {
        ORDERLINE_ADMIN_EMAIL: 'other@example.com',
        ORDERLINE_ADMIN_PASSWORD: 'another-long-password',
        isProduction: false,
      },
      logger: captureLogger().logger,
    });
    expect(created).toBeUndefined();
    expect((await countStaff(db!)).map((s) => s.email)).toEqual(['admin@test.orderline.local']);
  });
});

describe('bootstrap admin in production', () => {
  it('refuses to run without the admin settings', async () => {
    await expect(
      bootstrapAdmin({
        db: undefined as never,
        users: { anyExists: async () => false } as never,
        clock: systemClock,
        config: { ORDERLINE_ADMIN_EMAIL: undefined, ORDERLINE_ADMIN_PASSWORD: undefined, isProduction: true },
        logger: captureLogger().logger,
      }),
    ).rejects.toThrow(/ORDERLINE_ADMIN_EMAIL/);
  });
});
