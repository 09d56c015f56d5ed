import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import {
  customerLogin,
  customerToken,
  mailbox,
  me,
  registerCustomer,
  SERVICES,
  TEST_ENV,
  verifiedCustomer,
} from './customer.fixtures.js';
import { bearer, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** GDPR erasure end to end, and the auth.login consumer (C1). */
describe.each(TEST_DATABASES)('customer erasure (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  const received: EventEnvelope[] = [];
  beforeAll(async () => {
    // No grace period: the next cleanup run erases (the default is a week).
    platform = await startTestPlatform(database, {
      services: SERVICES,
      env: { ...TEST_ENV, CUSTOMER_ERASURE_GRACE_HOURS: '0' },
    });
    app = platform.app;
    await platform.orderline.eventing.bus().subscribe(
      'test.customer-events',
      ['customer.deleted', 'customer.status_changed'],
      async (delivery) => {
        received.push(delivery.envelope as EventEnvelope);
        return { kind: 'ack' };
      },
      { concurrency: 1, ackWaitMs: 30_000 },
    );
  });
  afterAll(() => platform?.close());

  const root = () => platform.orderline.database.root;

  it('erasure: login refused at once, anonymized by the cleanup job in one go, customer.deleted published, messages erased', async () => {
    const c = await verifiedCustomer(app);
    const token = (await customerToken(app, c)).accessToken;
    await app.inject({
      method: 'POST',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(token),
      payload: {
        firstName: 'A',
        lastName: 'B',
        line1: '1 Main St',
        city: 'Paris',
        postalCode: '75008',
        country: 'FR',
      },
    });
    await waitFor(async () => (await mailbox(app, c.email)).length >= 2, 'verification and welcome emails');

    const del = await app.inject({ method: 'DELETE', url: '/api/v1/customers/me', headers: bearer(token) });
    expect(del.statusCode, del.body).toBe(202);
    expect(del.json()).toMatchObject({ status: 'erasure_scheduled', eraseAfter: expect.any(String) });
    // Sessions end and login is refused during the grace period.
    expect((await me(app, token)).statusCode).toBe(401);
    const during = await customerLogin(app, c.email, c.password);
    expect(during.statusCode).toBe(403);
    expect(during.json().code).toBe('account_disabled');

    const outcome = await platform.orderline.eventing.scheduler('customer')!.runNow('cleanup');
    expect(outcome).toMatchObject({ ran: true, status: 'succeeded' });

    const row = await root()
      .withSchema('customer')
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'deleted', first_name: 'Erased', phone: null });
    expect(row.email).not.toContain(c.email);
    const leftovers = await Promise.all(
      (['addresses', 'preference_versions', 'customer_tokens', 'customer_roles'] as const).map((t) =>
        root()
          .withSchema('customer')
          .selectFrom(t)
          .select('customer_id')
          .where('customer_id', '=', c.id)
          .execute(),
      ),
    );
    expect(leftovers.flat()).toEqual([]);

    await waitFor(
      () => received.some((e) => e.type === 'customer.deleted' && e.subject === c.id),
      'customer.deleted',
    );
    const deleted = received.find((e) => e.type === 'customer.deleted' && e.subject === c.id)!;
    expect(deleted.data).toEqual({ customerId: c.id, principalId: c.id, occurredAt: expect.any(String) });
    expect(
      received.some(
        (e) =>
          e.type === 'customer.status_changed' && (e.data as { newStatus: string }).newStatus === 'deleted',
      ),
    ).toBe(true);

    // Notification erased what it held about the customer.
    await waitFor(async () => {
      const rows = await root()
        .withSchema('notification')
        .selectFrom('messages')
        .select('id')
        .where('customer_id', '=', c.id)
        .execute();
      return rows.length === 0;
    }, 'notification erasure');
    expect(await mailbox(app, c.email)).toEqual([]);

    const after = await customerLogin(app, c.email, c.password);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('invalid_credentials');
    // The address is free again.
    const again = await registerCustomer(app, {
      email: c.email,
      password: 'a-new-passphrase',
      firstName: 'New',
      lastName: 'Person',
    });
    expect(again.statusCode).toBe(201);
  });

  it('sets last_login_at only from auth.login, never backwards, once per event', async () => {
    const c = await verifiedCustomer(app);
    const at = new Date('2030-01-02T03:04:05.000Z');
    const envelope = buildEnvelope('auth.login', c.id, {
      principalId: c.id,
      principalType: 'customer',
      sessionId: newId(),
      occurredAt: at.toISOString(),
    });
    const bus = platform.orderline.eventing.bus();
    await bus.publish([envelope]);
    await bus.publish([envelope]); // redelivery
    const older = buildEnvelope('auth.login', c.id, {
      principalId: c.id,
      principalType: 'customer',
      sessionId: newId(),
      occurredAt: new Date('2029-01-01T00:00:00.000Z').toISOString(),
    });
    await bus.publish([older]);
    const customer = root().withSchema('customer');
    await waitFor(async () => {
      const row = await customer
        .selectFrom('customers')
        .select('last_login_at')
        .where('id', '=', c.id)
        .executeTakeFirst();
      return row?.last_login_at?.toISOString() === at.toISOString();
    }, 'last_login_at from the event');
    const logins = await customer
      .selectFrom('audit_log')
      .select('id')
      .where('customer_id', '=', c.id)
      .where('event', '=', 'login')
      .where(
        'detail',
        '@>',
        JSON.stringify({ sessionId: (envelope.data as { sessionId: string }).sessionId }),
      )
      .execute();
    expect(logins).toHaveLength(1);
  });
});
