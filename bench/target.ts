import { loadConfig } from '../src/platform/config/config.js';
import { createOrderline, type Orderline } from '../src/runtime/orderline.js';
import { createPostgresDatabase } from '../test/databases.js';

/**
 * The system under test: the whole platform started IN THIS PROCESS on a real port, on a fresh
 * database (ephemeral PGlite, or a new PostgreSQL database created from DATABASE_URL and dropped
 * afterwards). The configuration is built from explicit values only, so a DATABASE_URL or
 * BUS_URL in the environment cannot leak into the embedded run.
 */
export type DatabaseKind = 'pglite' | 'postgres';

export const ADMIN_EMAIL = 'bench-admin@bench.orderline.local';
export const ADMIN_PASSWORD = 'bench-admin-password-long-enough';

export interface Target {
  kind: DatabaseKind;
  origin: string;
  orderline: Orderline;
  /** PostgreSQL URL of the run's database (postgres only). */
  url: string | undefined;
  close(): Promise<void>;
}

export async function startTarget(kind: DatabaseKind): Promise<Target> {
  const pgDb = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = loadConfig(
    {},
    {
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      HOST: '127.0.0.1',
      PORT: '0',
      EPHEMERAL: 'true',
      BUS_URL: 'memory',
      ORDERLINE_ADMIN_EMAIL: ADMIN_EMAIL,
      ORDERLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // A full run outlasts the default 15-minute staff token.
      AUTH_ACCESS_TTL_STAFF_SECONDS: '86400',
      // One client drives all the load: per-client limits far above it, so the limiter still runs
      // (its cost is measured) but never answers 429.
      RATE_LIMIT_MAX: '10000000',
      RATE_LIMIT_GLOBAL_MAX: '1000000000',
      ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
    },
  );
  try {
    const orderline = await createOrderline({ config, demo: false });
    const address = await orderline.start();
    if (!address) throw new Error('the platform did not listen');
    return {
      kind,
      origin: address,
      orderline,
      url: pgDb?.url,
      close: async () => {
        await orderline.close();
        await pgDb?.drop();
      },
    };
  } catch (err) {
    await pgDb?.drop();
    throw err;
  }
}
