import { type Config, loadConfig } from '../src/platform/config/config.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createOrderline, type Orderline } from '../src/runtime/orderline.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createPostgresDatabase, type TestDatabase } from './databases.js';

export {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  createPostgresDatabase,
  TEST_DATABASES,
  type TestDatabase,
} from './databases.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EPHEMERAL: 'true',
    ORDERLINE_ADMIN_EMAIL: ADMIN_EMAIL,
    ORDERLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Every test request comes from 127.0.0.1: production rate limits would make unrelated tests
    // share one bucket. Rate-limit tests pass their own small RATE_LIMIT_* values in `env`.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_GLOBAL_MAX: '100000000',
    RATE_LIMIT_CREDENTIALS_MAX: '1000000',
    ...env,
  });
}

export interface TestPlatform {
  orderline: Orderline;
  app: NonNullable<Orderline['app']>;
  close(): Promise<void>;
}

/** Starts the platform in-process (no port) on a fresh database of the given kind. */
export async function startTestPlatform(
  database: TestDatabase,
  options: { services?: string[]; env?: Record<string, string>; demo?: boolean } = {},
): Promise<TestPlatform> {
  const pgDb = database === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = testConfig({ ...(pgDb ? { DATABASE_URL: pgDb.url } : {}), ...(options.env ?? {}) });
  const orderline = await createOrderline({
    config,
    logger: createLogger({ level: config.LOG_LEVEL }),
    ...(options.services ? { services: options.services } : {}),
    demo: options.demo ?? false,
  });
  if (!orderline.app) throw new Error('test platform has no HTTP app');
  await orderline.start({ listen: false });
  return {
    orderline,
    app: orderline.app,
    close: async () => {
      await orderline.close();
      await pgDb?.drop();
    },
  };
}

/** Logs in through the public API and returns the access token. */
export async function loginAs(
  app: TestPlatform['app'],
  email = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
  type: 'admin' | 'shipper' | 'customer' = 'admin',
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password, type },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
