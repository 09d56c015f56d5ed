import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, isStale, root } from '../scripts/build.mjs';
import { createPostgresDatabase, TEST_DATABASES } from './databases.js';

/**
 * The production build (`npm run build`, what `orderline start` runs): compiled into a scratch
 * folder, then the compiled CLI applies every migration on a fresh database, so the SQL files it
 * reads at run time must have been copied beside the compiled modules.
 */
describe('compiled build', () => {
  let scratch: string;
  let out: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'orderline-build-'));
    // The compiled modules resolve their packages by walking up from their own folder.
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
    out = join(scratch, 'dist');
    build({ outDir: out, log: () => {} });
  }, 300_000);
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('emits the entry and every migration, and no test code', () => {
    expect(existsSync(join(out, 'main.js'))).toBe(true);
    const sql = readdirSync(join(out, 'services', 'order', 'data', 'migrations'));
    expect(sql).toEqual(readdirSync(join(root, 'src', 'services', 'order', 'data', 'migrations')));
    expect(readdirSync(join(out, 'platform', 'db', 'platform-migrations')).length).toBeGreaterThan(0);
    expect(existsSync(join(out, 'platform', 'money.test.js'))).toBe(false);
    expect(existsSync(join(out, 'platform', 'bus', 'bus.scenarios.js'))).toBe(false);
  });

  it('is fresh after building and stale once its stamp is gone', () => {
    expect(isStale(out)).toBe(false);
    unlinkSync(join(out, '.build-stamp'));
    expect(isStale(out)).toBe(true);
  });

  it.each(TEST_DATABASES)(
    'migrates a fresh %s database with plain node (no tsx)',
    async (database) => {
      const pg = database === 'postgres' ? await createPostgresDatabase() : undefined;
      try {
        const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'development', LOG_LEVEL: 'info' };
        if (pg) env.DATABASE_URL = pg.url;
        else env.EPHEMERAL = 'true';
        const run = spawnSync(process.execPath, [join(out, 'main.js'), 'migrate'], {
          env,
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        expect(run.stdout).toContain('"schema":"order"');
        expect(run.stdout).toContain('0005_returns');
        expect(run.stdout).toContain('migrations up to date');
      } finally {
        await pg?.drop();
      }
    },
    180_000,
  );
});
