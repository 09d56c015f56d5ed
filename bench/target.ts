import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildIfStale, root } from '../scripts/build.mjs';
import { type Config, loadConfig } from '../src/platform/config/config.js';
import { createPostgresDatabase } from '../test/databases.js';
import { deleteRedisKeys } from './events.js';

/**
 * The system under test: the compiled platform started as its own OS process, the way a user runs
 * it (`node bin/orderline.mjs start --no-demo`, which runs dist/main.js), on a fresh database
 * (ephemeral PGlite inside that process, or a new PostgreSQL database created from DATABASE_URL
 * and dropped afterwards). Its environment is built from explicit values only, so a DATABASE_URL
 * or BUS_URL in the bench's environment cannot leak into the embedded run. The bench reads the
 * child's memory and CPU time from /proc/<pid>.
 */
export type DatabaseKind = 'pglite' | 'postgres';

export const ADMIN_EMAIL = 'bench-admin@bench.orderline.local';
export const ADMIN_PASSWORD = 'bench-admin-password-long-enough';

export interface Target {
  kind: DatabaseKind;
  origin: string;
  /** The platform process. */
  pid: number;
  /** The configuration the platform process runs with (parsed here from the same environment). */
  config: Config;
  /** `memory`, or the Redis URL when the postgres run uses the Redis bus. */
  bus: string;
  /** PostgreSQL URL of the run's database (postgres only). */
  url: string | undefined;
  /** Resident set size of the platform process now (VmRSS), bytes. */
  rss(): number;
  /** Its largest resident set size since it started, start-up included (VmHWM), bytes. */
  rssHighWater(): number;
  /** CPU time (user + system) the platform process has used so far, ms. */
  cpuMs(): number;
  close(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/** A field of /proc/<pid>/status in bytes (`VmRSS:   123456 kB`). */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

let clockTicks: number | undefined;
/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks), as ms. */
function cpuMs(pid: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`/proc/${pid}/stat: cannot read utime/stime`);
  return (ticks * 1000) / clockTicks;
}

async function waitReady(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the platform exited during start-up (${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(`${origin}/readyz`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the platform was not ready within ${timeoutMs / 1000} s: ${last}`);
}

export async function startTarget(kind: DatabaseKind): Promise<Target> {
  // Compile first (a no-op when dist/ is current), so start-up below is the platform's alone.
  await buildIfStale({ log: (m) => console.log(`[bench] ${m}`) });
  const pgDb = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  // PostgreSQL runs on the Redis bus when there is one (the deployment the lifecycle figure is
  // about); PGlite, the single-process mode, on the in-process bus.
  const redisUrl = kind === 'postgres' ? process.env.REDIS_URL : undefined;
  // Streams of this run only: a fresh database must not meet an earlier run's events.
  const busPrefix = `bench-${process.pid}-${Date.now().toString(36)}`;
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    HOST: '127.0.0.1',
    PORT: String(port),
    EPHEMERAL: 'true',
    BUS_URL: redisUrl ?? 'memory',
    BUS_PREFIX: busPrefix,
    ORDERLINE_ADMIN_EMAIL: ADMIN_EMAIL,
    ORDERLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // A full run outlasts the default 15-minute staff token.
    AUTH_ACCESS_TTL_STAFF_SECONDS: '86400',
    // One client drives all the load: per-client limits far above it, so the limiter still runs
    // (its cost is measured) but never answers 429.
    RATE_LIMIT_MAX: '10000000',
    RATE_LIMIT_GLOBAL_MAX: '1000000000',
    ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
  };
  const config = loadConfig({}, env);
  const child = spawn(process.execPath, [join(root, 'bin', 'orderline.mjs'), 'start', '--no-demo'], {
    cwd: root,
    // PATH only from our environment: nothing else (DATABASE_URL, BUS_URL…) reaches the platform.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = async () => {
    await pgDb?.drop();
    if (redisUrl) await deleteRedisKeys(redisUrl, busPrefix);
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('the platform process did not start');
    const origin = `http://127.0.0.1:${port}`;
    await waitReady(origin, child, 180_000);
    return {
      kind,
      origin,
      pid,
      config,
      bus: redisUrl ?? 'memory',
      url: pgDb?.url,
      rss: () => statusBytes(pid, 'VmRSS'),
      rssHighWater: () => statusBytes(pid, 'VmHWM'),
      cpuMs: () => cpuMs(pid),
      close: async () => {
        await stop();
        await cleanup();
      },
    };
  } catch (err) {
    await stop();
    await cleanup();
    throw err;
  }
}
