#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json: no tests, no test fixtures)
// and copies every non-TypeScript file the runtime reads (the SQL migrations) beside the compiled
// modules, so `new URL('./data/migrations/', import.meta.url)` finds them in dist/ as in src/.
// `--if-stale` builds only when src/ or the build configuration changed since the last build.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
const STAMP = '.build-stamp';

/** Files tsc does not emit: compiled output, test code, type declarations. */
const isSource = (name) => name.endsWith('.ts');
const isTestOnly = (name) => /\.(test|scenarios|fixtures)\.ts$/.test(name);
const isCompiled = (name) => /\.(js|js\.map|d\.ts|tsbuildinfo)$/.test(name) || name === STAMP;

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield { path, directory: true };
      yield* walk(path);
    } else yield { path, directory: false };
  }
}

/**
 * Newest change that matters to the build. Directories count too: deleting or renaming a file
 * changes its directory's mtime, so a removed migration is noticed as well as an edited one.
 */
function newestInput() {
  let newest = statSync(src).mtimeMs;
  for (const entry of walk(src)) {
    if (!entry.directory && isTestOnly(entry.path)) continue;
    newest = Math.max(newest, statSync(entry.path).mtimeMs);
  }
  for (const file of CONFIG_FILES) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest;
}

/** True when dist/ is missing or older than anything it is built from. */
export function isStale(outDir = join(root, 'dist')) {
  const stamp = join(outDir, STAMP);
  if (!existsSync(stamp) || !existsSync(join(outDir, 'main.js'))) return true;
  return newestInput() > statSync(stamp).mtimeMs;
}

/** Assets: replaced wholesale, so a migration deleted from src/ does not linger in dist/. */
function copyAssets(outDir) {
  if (existsSync(outDir))
    for (const entry of walk(outDir)) if (!entry.directory && !isCompiled(entry.path)) rmSync(entry.path);
  let copied = 0;
  for (const entry of walk(src)) {
    if (entry.directory || isSource(entry.path)) continue;
    const target = join(outDir, relative(src, entry.path));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(entry.path, target);
    copied++;
  }
  return copied;
}

/** Compiles and copies; throws if tsc reports an error (tsc then writes nothing: noEmitOnError). */
export function build({ outDir = join(root, 'dist'), log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const started = Date.now();
  log(`compiling src/ to ${relative(root, outDir) || outDir}/ (tsc -p tsconfig.build.json)`);
  // Taken before compiling: a source edited during the build makes the next start build again.
  const inputsAt = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--tsBuildInfoFile',
      join(outDir, '.tsbuildinfo'),
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status}): ${outDir} not updated`);
  const assets = copyAssets(outDir);
  const stamp = join(outDir, STAMP);
  writeFileSync(stamp, `${inputsAt.toISOString()}\n`);
  // The stamp's mtime is the inputs' time, not the end of the build (see inputsAt).
  utimesSync(stamp, inputsAt, inputsAt);
  log(
    `built ${relative(root, outDir) || outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s (${assets} assets)`,
  );
}

/**
 * Builds if stale, one process at a time: two processes started together (an api and a worker)
 * must not both write dist/. The lock file holds the builder's pid; a lock whose process is gone is
 * taken over.
 */
export async function buildIfStale({ outDir = join(root, 'dist'), log } = {}) {
  if (!isStale(outDir)) return false;
  return withBuildLock(join(root, '.build.lock'), () => {
    if (!isStale(outDir)) return false;
    build({ outDir, ...(log ? { log } : {}) });
    return true;
  });
}

/** Runs `fn` holding `lock` (a file with the holder's pid), waiting for another live holder. */
export async function withBuildLock(lock, fn) {
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (!lockHolderAlive(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    unlinkSync(lock);
  }
}

function lockHolderAlive(lock) {
  let pid;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return false;
    throw err;
  }
  // Empty: being written right now (alive), unless it has been empty for a while (its writer died).
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - statSync(lock).mtimeMs < 10_000;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  try {
    if (process.argv.includes('--if-stale')) await buildIfStale();
    else build();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
