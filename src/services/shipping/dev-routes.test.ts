import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config/config.js';
import { buildHttpApp } from '../../platform/http/app.js';
import { createLogger } from '../../platform/logging/logger.js';
import { createMetrics } from '../../platform/observability/metrics.js';
import { createShippingModule } from './module.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db/orderline',
  ORDERLINE_ADMIN_EMAIL: 'ops@example.com',
  ORDERLINE_ADMIN_PASSWORD: 'a-long-enough-secret',
  AUTH_JWT_KEYS_FILE: '/run/secrets/jwt.json',
  PAYMENT_TESTPAY_WEBHOOK_SECRETS: 'whsec_current',
  SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: 'shsec_current',
  SMTP_URL: 'smtp://mailer:secret@127.0.0.1:2525',
};

/** A Fastify app with shipping's routes registered under this environment (no database touched). */
async function appWith(env: Record<string, string>) {
  const config = loadConfig(env);
  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics({ defaults: false });
  const module = createShippingModule({
    config,
    logger,
    db: {} as never,
    database: {} as never,
    clock: { now: () => new Date() },
    metrics,
    pricing: { convert: async (m) => m },
    orders: { getOrder: async () => undefined },
  });
  const app = await buildHttpApp({ logger, metrics, bodyLimit: config.BODY_LIMIT_BYTES, docs: false });
  await module.routes?.(app);
  await app.ready();
  await module.stop?.();
  return app;
}

describe('simcarrier development routes', () => {
  it('exist outside production (outage switch, scans) and never in production', async () => {
    const outage = { method: 'PUT' as const, url: '/dev/simcarrier/outage' };
    const scan = { method: 'POST' as const, url: '/dev/simcarrier/parcels/:trackingNumber/scan' };
    const webhook = { method: 'POST' as const, url: '/shipping/webhooks/:carrier' };
    const dev = await appWith({});
    expect([dev.hasRoute(outage), dev.hasRoute(scan), dev.hasRoute(webhook)]).toEqual([true, true, true]);
    await dev.close();
    const production = await appWith(PRODUCTION);
    expect([production.hasRoute(outage), production.hasRoute(scan), production.hasRoute(webhook)]).toEqual([
      false,
      false,
      true,
    ]);
    await production.close();
  });
});
