import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { customerToken, mailbox, verifiedCustomer } from './customer.fixtures.js';
import { bearer, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import { deliver, republished } from './lifecycle.fixtures.js';

/**
 * The points message (loyalty.points.changed → notification): marketing-class, so sent only with
 * the marketing consent and email preference; one message per ledger transaction however often
 * the event arrives (G4).
 */
describe.each(TEST_DATABASES)('loyalty points messages on %s', (kind) => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform(kind, {
      services: ['user', 'auth', 'customer', 'notification'],
      env: { RATE_LIMIT_ENABLED: 'false' },
    });
  }, 60_000);
  afterAll(() => p?.close());

  const customer = async (marketing: boolean) => {
    const c = await verifiedCustomer(p.app);
    const headers = bearer((await customerToken(p.app, c)).accessToken);
    const res = await p.app.inject({
      method: 'PUT',
      url: '/api/v1/customers/me/preferences',
      headers,
      payload: { preferences: { marketingEmail: marketing }, consents: { marketing } },
    });
    expect(res.statusCode, res.body).toBe(200);
    return c;
  };
  const earned = (customerId: string) =>
    buildEnvelope('loyalty.points.changed', customerId, {
      customerId,
      transactionId: newId(),
      orderId: newId(),
      kind: 'earned',
      points: 120,
      balance: 320,
      occurredAt: new Date().toISOString(),
    });
  const statuses = async (customerId: string) =>
    (
      await sql<{ status: string }>`
        SELECT status FROM notification.messages
        WHERE customer_id = ${customerId} AND template = 'points_changed'`.execute(p.orderline.database.root)
    ).rows.map((r) => r.status);

  it('with consent: one message per points change, also delivered twice and re-published', async () => {
    const c = await customer(true);
    const e = earned(c.id);
    await deliver(p, 'notification', [e, e, ...republished([e])]);
    await waitFor(async () => (await statuses(c.id)).join() === 'sent', 'the points message sent');
    const mails = (await mailbox(p.app, c.email)).filter((m) => m.subject.startsWith('Your points balance'));
    expect(mails.map((m) => m.subject)).toEqual(['Your points balance is now 320']);
    expect(mails[0]!.text).toContain('You received 120 points');
  });

  it('without consent: stored as suppressed, never sent', async () => {
    const c = await customer(false);
    await deliver(p, 'notification', [earned(c.id)]);
    await waitFor(
      async () => (await statuses(c.id)).join() === 'suppressed',
      'the points message suppressed',
    );
    expect((await mailbox(p.app, c.email)).some((m) => m.subject.startsWith('Your points balance'))).toBe(
      false,
    );
  });
});
