#!/usr/bin/env node
// Builds the admin console (admin/, React + Vite) into admin/dist, which the gateway serves at
// /admin. `npm start` runs it through bin/orderline.mjs when admin/dist is missing or older than
// its sources; `--if-stale` does the same from the command line. Vite is a devDependency: an
// image builds admin/dist in its build stage and ships only the result (deploy/Dockerfile).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root, withBuildLock } from './build.mjs';

export const adminRoot = join(root, 'admin');
export const adminDist = join(adminRoot, 'dist');
const INPUTS = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'];
const STAMP = '.build-stamp';

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** True when admin/dist is missing or older than a source, the Vite config or the lockfile. */
export function isAdminStale() {
  const stamp = join(adminDist, STAMP);
  if (!existsSync(stamp) || !existsSync(join(adminDist, 'index.html'))) return true;
  const inputs = INPUTS.map((name) => join(adminRoot, name)).filter(existsSync);
  const latest = Math.max(...inputs.map(newest), statSync(join(root, 'package-lock.json')).mtimeMs);
  return latest > statSync(stamp).mtimeMs;
}

export async function buildAdmin({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const started = Date.now();
  const inputsAt = new Date();
  log(`building the admin console into ${relative(root, adminDist)}/ (vite)`);
  // In a child process: Vite sets NODE_ENV=production in the process that builds, which must not
  // leak into the platform that `npm start` runs next.
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(adminRoot, 'vite.config.ts'), '--logLevel', 'warn'],
    { cwd: adminRoot, stdio: 'inherit' },
  );
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`vite build failed (exit ${result.status}): admin/dist not updated`);
  const stamp = join(adminDist, STAMP);
  writeFileSync(stamp, `${inputsAt.toISOString()}\n`);
  utimesSync(stamp, inputsAt, inputsAt);
  log(`built the admin console in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Builds when stale, one process at a time (two processes started together share one build). */
export async function buildAdminIfStale({ log } = {}) {
  if (!isAdminStale()) return false;
  return withBuildLock(join(root, '.build-admin.lock'), async () => {
    if (!isAdminStale()) return false;
    await buildAdmin(log ? { log } : {});
    return true;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  try {
    if (process.argv.includes('--if-stale')) await buildAdminIfStale();
    else await buildAdmin();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
