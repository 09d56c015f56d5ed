import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, login, loginPair, whoAmI } from './auth.fixtures.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  bearer,
  loginAs,
  startTestPlatform,
  TEST_DATABASES,
  type TestPlatform,
} from './harness.js';

const MAX_FAILURES = 3;

describe.each(TEST_DATABASES)('POST /auth/login (%s)', (database) => {
  let platform: TestPlatform;
  let adminToken: string;
  beforeAll(async () => {
    platform = await startTestPlatform(database, {
      services: ['user', 'auth'],
      env: { AUTH_LOGIN_MAX_FAILURES: String(MAX_FAILURES), AUTH_LOCKOUT_MINUTES: '15' },
    });
    adminToken = (await loginAs(platform.app)).accessToken;
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('issues a bearer pair for the bootstrap admin, and the access token is accepted', async () => {
    const res = await login(platform.app, ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await whoAmI(platform.app, body.accessToken)).statusCode).toBe(200);
  });

  it('treats the email case-insensitively', async () => {
    const res = await login(platform.app, ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    expect(res.statusCode).toBe(200);
  });

  it('refuses a wrong password with 401 invalid_credentials as problem+json', async () => {
    const res = await login(platform.app, ADMIN_EMAIL, 'not-the-password');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('invalid_credentials');
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const res = await login(platform.app, 'nobody@test.orderline.local', ADMIN_PASSWORD);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_credentials');
  });

  it('refuses a login whose type does not match the account', async () => {
    const res = await login(platform.app, ADMIN_EMAIL, ADMIN_PASSWORD, 'shipper');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_credentials');
  });

  it('answers 401 invalid_credentials for a principal type no directory serves yet (customer)', async () => {
    const res = await login(platform.app, ADMIN_EMAIL, ADMIN_PASSWORD, 'customer');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_credentials');
  });

  it('rejects a malformed request with 400 validation_failed', async () => {
    const res = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ADMIN_EMAIL, type: 'robot' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it(`locks the account after ${MAX_FAILURES} failures: 423 account_locked even with the right password`, async () => {
    const shipper = await createStaff(platform.app, adminToken);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await login(platform.app, shipper.email, 'wrong-password-123', 'shipper');
      expect(res.json().code).toBe('invalid_credentials');
    }
    const locked = await login(platform.app, shipper.email, shipper.password, 'shipper');
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('account_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('resets the failure count after a successful login', async () => {
    const shipper = await createStaff(platform.app, adminToken);
    for (let i = 0; i < MAX_FAILURES - 1; i++)
      await login(platform.app, shipper.email, 'wrong-password-123', 'shipper');
    await loginPair(platform.app, shipper.email, shipper.password, 'shipper');
    for (let i = 0; i < MAX_FAILURES - 1; i++)
      await login(platform.app, shipper.email, 'wrong-password-123', 'shipper');
    expect((await login(platform.app, shipper.email, shipper.password, 'shipper')).statusCode).toBe(200);
  });

  it('refuses a suspended account with 403 account_disabled, but only given the right password', async () => {
    const shipper = await createStaff(platform.app, adminToken);
    const patch = await platform.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${shipper.id}`,
      headers: bearer(adminToken),
      payload: { status: 'suspended' },
    });
    expect(patch.statusCode).toBe(200);
    const right = await login(platform.app, shipper.email, shipper.password, 'shipper');
    expect(right.statusCode).toBe(403);
    expect(right.json().code).toBe('account_disabled');
    const wrong = await login(platform.app, shipper.email, 'wrong-password-123', 'shipper');
    expect(wrong.json().code).toBe('invalid_credentials');
  });

  it('refuses a deleted account with 403 account_disabled', async () => {
    const shipper = await createStaff(platform.app, adminToken);
    const del = await platform.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${shipper.id}`,
      headers: bearer(adminToken),
    });
    expect(del.statusCode).toBe(204);
    const res = await login(platform.app, shipper.email, shipper.password, 'shipper');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('account_disabled');
  });
});
