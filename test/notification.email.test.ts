import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config/config.js';
import { systemCtx } from '../src/platform/context.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import type { HttpApp } from '../src/platform/http/types.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { createNotificationModule } from '../src/services/notification/module.js';
import { mailbox, SERVICES, TEST_ENV, uniqueEmail, verifiedCustomer } from './customer.fixtures.js';
import { startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** Notification (first part): one message per (event, recipient), the dev mailbox, idempotent sends. */
describe.each(TEST_DATABASES)('notification email (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: SERVICES, env: TEST_ENV });
    app = platform.app;
  });
  afterAll(() => platform?.close());

  const messages = () => platform.orderline.database.root.withSchema('notification').selectFrom('messages');

  it('sends the password-changed notice exactly once when auth.password_changed is delivered three times', async () => {
    const c = await verifiedCustomer(app);
    const envelope = buildEnvelope('auth.password_changed', c.id, {
      principalId: c.id,
      principalType: 'customer',
      reason: 'reset',
      occurredAt: new Date().toISOString(),
    });
    const bus = platform.orderline.eventing.bus();
    for (let i = 0; i < 3; i++) await bus.publish([envelope]);
    const subject = 'Your password was changed';
    await waitFor(
      async () => (await mailbox(app, c.email)).some((m) => m.subject === subject),
      'password notice',
    );
    const rows = await messages()
      .select(['status', 'text_body'])
      .where('source_key', '=', `event:${envelope.id}`)
      .execute();
    expect(rows).toEqual([{ status: 'sent', text_body: null }]);
    expect((await mailbox(app, c.email)).filter((m) => m.subject === subject)).toHaveLength(1);
  });

  it('one message per idempotency key, recipient and template for direct sends', async () => {
    const to = uniqueEmail('direct');
    const client = platform.orderline.clients.notification!;
    const ctx = systemCtx(platform.orderline.logger);
    const request = {
      template: 'password_reset' as const,
      to,
      idempotencyKey: 'test-key-1',
      data: {
        firstName: 'Kim',
        token: 't'.repeat(43),
        link: 'http://shop.test/reset?token=x',
        expiresInMinutes: 30,
      },
    };
    const first = await client.send(ctx, request);
    const second = await client.send(ctx, { ...request, to: to.toUpperCase() });
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, duplicate: true });
    await waitFor(async () => (await mailbox(app, to)).length === 1, 'direct email');
    const [mail] = await mailbox(app, to);
    expect(mail).toMatchObject({ to, subject: 'Reset your password' });
    expect(mail!.text).toContain('expires in 30 minutes');
    expect(mail!.html).toContain('<a href="http://shop.test/reset?token=x">');
    await expect(
      client.send(ctx, { ...request, to: 'not an email', idempotencyKey: 'k2' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('validates the mailbox query', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/dev/mailbox?to=ab' });
    expect(res.statusCode).toBe(400);
    // Without `to`, every message the sink holds.
    const all = await app.inject({ method: 'GET', url: '/api/v1/dev/mailbox' });
    expect(all.statusCode).toBe(200);
    expect(all.json().items.length).toBeGreaterThan(0);
  });
});

describe('dev mailbox in production', () => {
  it('is not registered when NODE_ENV=production, and production requires SMTP_URL', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db/orderline',
      ORDERLINE_ADMIN_EMAIL: 'ops@example.com',
      ORDERLINE_ADMIN_PASSWORD: 'a-long-enough-secret',
      AUTH_JWT_KEYS_FILE: '/run/secrets/jwt.json',
      PAYMENT_TESTPAY_WEBHOOK_SECRETS: 'whsec_current',
      SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: 'shsec_current',
    };
    expect(() => loadConfig(production)).toThrow(/SMTP_URL: required in production/);
    const config = loadConfig({ ...production, SMTP_URL: 'smtp://mailer:secret@127.0.0.1:2525' });
    const module = createNotificationModule({
      config,
      logger: createLogger({ level: 'silent' }),
      db: {} as never,
      database: {} as never,
      clock: { now: () => new Date() },
      metrics: createMetrics({ defaults: false }),
    });
    const routes: string[] = [];
    const fake = {
      get: (path: string) => routes.push(path),
      post: (path: string) => routes.push(path),
    } as unknown as HttpApp;
    module.routes?.(fake);
    expect(routes).not.toContain('/dev/mailbox');
    expect(routes).toContain('/admin/notifications');
  });
});
