import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, loginPair, refresh, whoAmI } from './auth.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

describe.each(TEST_DATABASES)('authorization of admin routes (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  let adminToken: string;
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: ['user', 'auth'] });
    app = platform.app;
    adminToken = (await loginAs(app)).accessToken;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const newUser = (token: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: bearer(token),
      payload: {
        email: `new-${randomBytes(4).toString('hex')}@test.orderline.local`,
        name: 'New',
        type: 'shipper',
        password: 'a-long-enough-password',
      },
    });

  it('refuses anonymous callers with 401 unauthenticated', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/users' });
    expect(list.statusCode).toBe(401);
    expect(list.json().code).toBe('unauthenticated');
    const create = await app.inject({ method: 'POST', url: '/api/v1/admin/users', payload: {} });
    expect(create.statusCode).toBe(401);
  });

  it('refuses a malformed Authorization header with 401', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: { authorization: 'Basic abc' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a shipper with 403 and lets the admin create (201)', async () => {
    const shipper = await createStaff(app, adminToken, { type: 'shipper' });
    const shipperToken = (await loginPair(app, shipper.email, shipper.password, 'shipper')).accessToken;
    const refused = await newUser(shipperToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('forbidden');
    expect((await newUser(adminToken)).statusCode).toBe(201);
  });

  it('refuses an admin-type account whose roles lack the permission (support → users:write)', async () => {
    const support = await createStaff(app, adminToken, { type: 'admin', roles: ['support'] });
    const token = (await loginPair(app, support.email, support.password)).accessToken;
    expect((await newUser(token)).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(token) })).statusCode,
    ).toBe(403);
  });

  it('refuses to assign an unknown role with 400 validation_failed naming it (U4)', async () => {
    const shipper = await createStaff(app, adminToken);
    const res = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/users/${shipper.id}/roles`,
      headers: bearer(adminToken),
      payload: { roles: ['shipper', 'wizard'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(res.json().detail).toContain('wizard');
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/${shipper.id}`,
      headers: bearer(adminToken),
    });
    expect(after.json()).toMatchObject({ roles: ['shipper'], permissionsVersion: 1 });
  });

  it('a role change bumps permissions_version: the old token is stale, a refreshed one carries the new roles', async () => {
    const grantee = await createStaff(app, adminToken, { type: 'admin', roles: ['support'] });
    const before = await loginPair(app, grantee.email, grantee.password);
    expect((await whoAmI(app, before.accessToken)).statusCode).toBe(200);

    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/users/${grantee.id}/roles`,
      headers: bearer(adminToken),
      payload: { roles: ['support', 'admin'] },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ roles: ['admin', 'support'], permissionsVersion: 2 });

    const stale = await whoAmI(app, before.accessToken);
    expect(stale.statusCode).toBe(401);
    expect(stale.json().code).toBe('token_stale');

    const fresh = (await refresh(app, before.refreshToken)).json();
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: bearer(fresh.accessToken),
    });
    expect(list.statusCode).toBe(200);
  });

  it('concurrent role changes each bump the version once (atomic increment, U3)', async () => {
    const user = await createStaff(app, adminToken);
    const results = await Promise.all(
      ['support', 'catalog_manager', 'shipper', 'support'].map((role) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/admin/users/${user.id}/roles`,
          headers: bearer(adminToken),
          payload: { roles: [role] },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/users/${user.id}`,
      headers: bearer(adminToken),
    });
    expect(after.json().permissionsVersion).toBe(5);
    expect(after.json().roles).toHaveLength(1);
  });

  it('a deleted or suspended account loses access at once, tokens included', async () => {
    const deleted = await createStaff(app, adminToken);
    const suspended = await createStaff(app, adminToken);
    const deletedPair = await loginPair(app, deleted.email, deleted.password, 'shipper');
    const suspendedPair = await loginPair(app, suspended.email, suspended.password, 'shipper');

    await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${deleted.id}`,
      headers: bearer(adminToken),
    });
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${suspended.id}`,
      headers: bearer(adminToken),
      payload: { status: 'suspended' },
    });

    for (const pair of [deletedPair, suspendedPair]) {
      const res = await whoAmI(app, pair.accessToken);
      expect(res.statusCode).toBe(401);
      // At once the directory no longer loads the account (account_disabled); as soon as auth has
      // consumed user.deleted / user.status_changed the session itself is revoked (session_revoked).
      expect(['account_disabled', 'session_revoked']).toContain(res.json().code);
      expect((await refresh(app, pair.refreshToken)).statusCode).toBe(401);
    }
  });
});
