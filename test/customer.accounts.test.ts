import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import {
  customerLogin,
  customerToken,
  mailbox,
  me,
  registerCustomer,
  registered,
  SERVICES,
  TEST_ENV,
  tokenFromMail,
  uniqueEmail,
  verifiedCustomer,
} from './customer.fixtures.js';
import { bearer, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

const MAX_FAILURES = 5;

/** Registration to login, lockout and password reset through the public API (issue 6). */
describe.each(TEST_DATABASES)('customer accounts (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: SERVICES, env: TEST_ENV });
    app = platform.app;
  });
  afterAll(() => platform?.close());

  it('register → verify (token from the mailbox) → login → refresh → logout', async () => {
    const email = uniqueEmail('Flow');
    const res = await registerCustomer(app, {
      email: `  ${email.toUpperCase()} `,
      password: 'a-strong-passphrase',
      firstName: '  Grace ',
      lastName: 'Hopper',
      phone: '+1 (415) 555-0123',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'pending_verification' });

    const token = await tokenFromMail(app, email.toLowerCase(), 'Confirm your email address');
    const verified = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/verify-email',
      payload: { token },
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toEqual({ status: 'active' });
    // Single use.
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/verify-email',
      payload: { token },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('invalid_token');

    const pair = await customerToken(app, { id: res.json().id, email, password: 'a-strong-passphrase' });
    const profile = await me(app, pair.accessToken);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({
      id: res.json().id,
      email: email.toLowerCase(),
      firstName: 'Grace',
      phone: '+14155550123',
      status: 'active',
      emailVerified: true,
      roles: ['customer'],
    });

    const refreshed = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: pair.refreshToken },
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const next = refreshed.json();
    expect((await me(app, next.accessToken)).statusCode).toBe(200);

    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(next.accessToken),
    });
    expect(logout.statusCode).toBe(204);
    expect((await me(app, next.accessToken)).statusCode).toBe(401);
  });

  it('sends a welcome email once the account exists', async () => {
    const c = await registered(app);
    await tokenFromMail(app, c.email, 'Confirm your email address');
    await waitFor(
      async () => (await mailbox(app, c.email)).some((m) => m.subject === 'Welcome to Orderline'),
      'welcome email',
    );
    expect((await mailbox(app, c.email)).filter((m) => m.subject === 'Welcome to Orderline')).toHaveLength(1);
  });

  it('refuses login before verification with 403 email_not_verified (only with the right password)', async () => {
    const c = await registered(app);
    const right = await customerLogin(app, c.email, c.password);
    expect(right.statusCode).toBe(403);
    expect(right.json().code).toBe('email_not_verified');
    const wrong = await customerLogin(app, c.email, 'not-the-password-at-all');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('invalid_credentials');
  });

  it('answers a taken email with 409 email_taken, whatever its case', async () => {
    const c = await registered(app);
    const dup = await registerCustomer(app, {
      email: c.email.toUpperCase(),
      password: 'another-passphrase',
      firstName: 'X',
      lastName: 'Y',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('email_taken');
  });

  it('rejects invalid registrations with 400 and field errors, storing nothing', async () => {
    const email = uniqueEmail();
    const res = await registerCustomer(app, {
      email: 'not-an-email',
      password: 'short',
      firstName: ' ',
      lastName: 'Bad\u0007Name',
      phone: '12345',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    const paths =
      res.json().errors?.map((e: { path: string }) => e.path) ??
      res.json().fields?.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'password', 'firstName', 'lastName', 'phone']));
    const long = await registerCustomer(app, {
      email,
      password: 'x'.repeat(129),
      firstName: 'A',
      lastName: 'B',
    });
    expect(long.statusCode).toBe(400);
    const rows = await platform.orderline.database.root
      .withSchema('customer')
      .selectFrom('customers')
      .select('id')
      .where('email', 'in', ['not-an-email', email])
      .execute();
    expect(rows).toHaveLength(0);
  });

  it(`locks after ${MAX_FAILURES} failures with 423 account_locked, and unlocks after the window`, async () => {
    const c = await verifiedCustomer(app);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await customerLogin(app, c.email, 'wrong-password-123');
      expect(res.json().code).toBe('invalid_credentials');
    }
    const locked = await customerLogin(app, c.email, c.password);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('account_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    const root = platform.orderline.database.root.withSchema('customer');
    const row = await root
      .selectFrom('customers')
      .select('locked_until')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.locked_until).not.toBeNull();
    // The 15-minute window passes: move the stored lock end into the past instead of sleeping.
    await root
      .updateTable('customers')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('id', '=', c.id)
      .execute();
    expect((await customerLogin(app, c.email, c.password)).statusCode).toBe(200);
    const audit = await root
      .selectFrom('audit_log')
      .select('event')
      .where('customer_id', '=', c.id)
      .execute();
    expect(audit.map((a) => a.event)).toEqual(expect.arrayContaining(['login_failed', 'locked']));
  });

  it('answers a reset request with 202 for an unknown email too, and sends nothing', async () => {
    const unknown = uniqueEmail('nobody');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/password-reset/request',
      payload: { email: unknown },
    });
    expect(res.statusCode).toBe(202);
    expect(await mailbox(app, unknown)).toEqual([]);
  });

  it('reset confirm changes the password, revokes every session and is single use', async () => {
    const c = await verifiedCustomer(app);
    const first = await customerToken(app, c);
    const second = await customerToken(app, c);
    const req = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/password-reset/request',
      payload: { email: c.email.toUpperCase() },
    });
    expect(req.statusCode).toBe(202);
    const token = await tokenFromMail(app, c.email, 'Reset your password');

    const weak = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/password-reset/confirm',
      payload: { token, newPassword: 'short' },
    });
    expect(weak.statusCode).toBe(400);

    const newPassword = 'a-brand-new-passphrase';
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/password-reset/confirm',
      payload: { token, newPassword },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await me(app, first.accessToken)).statusCode).toBe(401);
    expect((await me(app, second.accessToken)).statusCode).toBe(401);
    const refresh = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);

    expect((await customerLogin(app, c.email, c.password)).statusCode).toBe(401);
    expect((await customerLogin(app, c.email, newPassword)).statusCode).toBe(200);
    // auth.password_changed (published by auth with the revocation) brings the notice.
    await waitFor(
      async () => (await mailbox(app, c.email)).some((m) => m.subject === 'Your password was changed'),
      'password-changed notice',
    );
    const reuse = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/password-reset/confirm',
      payload: { token, newPassword: 'yet-another-passphrase' },
    });
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().code).toBe('invalid_token');
  });

  it('stores tokens only as hashes', async () => {
    const c = await registered(app);
    const token = await tokenFromMail(app, c.email, 'Confirm your email address');
    const rows = await platform.orderline.database.root
      .withSchema('customer')
      .selectFrom('customer_tokens')
      .select('token_hash')
      .where('customer_id', '=', c.id)
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.token_hash).not.toContain(token);
  });
});
