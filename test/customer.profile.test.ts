import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customerLogin,
  customerToken,
  me,
  SERVICES,
  TEST_ENV,
  verifiedCustomer,
} from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

const address = {
  label: 'Home',
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: '1 Main St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94103',
  country: 'us',
};

/** Profile, addresses, preferences, admin and ownership (G9) through the public API. */
describe.each(TEST_DATABASES)('customer profile (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  let alice: string;
  let bob: string;
  let aliceId: string;
  beforeAll(async () => {
    platform = await startTestPlatform(database, {
      services: [...SERVICES, 'catalog', 'pricing', 'warehouse', 'shipping', 'payment', 'order'],
      env: TEST_ENV,
    });
    app = platform.app;
    const a = await verifiedCustomer(app);
    aliceId = a.id;
    alice = (await customerToken(app, a)).accessToken;
    bob = (await customerToken(app, await verifiedCustomer(app))).accessToken;
  });
  afterAll(() => platform?.close());

  const patchMe = (token: string, payload: object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'PATCH',
      url: '/api/v1/customers/me',
      headers: { ...bearer(token), ...headers },
      payload,
    });

  it('updates the profile with optimistic locking: a stale version is 409 and changes nothing', async () => {
    const before = (await me(app, alice)).json();
    const ok = await patchMe(alice, { version: before.version, firstName: '  Augusta ' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ firstName: 'Augusta', version: before.version + 1 });
    const stale = await patchMe(alice, { version: before.version, lastName: 'King' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('conflict');
    expect((await me(app, alice)).json().lastName).toBe(before.lastName);
    const viaHeader = await patchMe(
      alice,
      { phone: '+442071234567' },
      { 'if-match': `"${before.version + 1}"` },
    );
    expect(viaHeader.statusCode, viaHeader.body).toBe(200);
    expect(viaHeader.json().phone).toBe('+442071234567');
    const missing = await patchMe(alice, { firstName: 'NoVersion' });
    expect(missing.statusCode).toBe(400);
    const invalid = await patchMe(alice, { version: viaHeader.json().version, firstName: 'x'.repeat(101) });
    expect(invalid.statusCode).toBe(400);
  });

  it('validates addresses with field errors and keeps each address to its owner (404 for others)', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(alice),
      payload: { ...address, country: 'XX', postalCode: 'ABC', line1: ' ' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.country', 'body.line1']),
    );
    const badPostal = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(alice),
      payload: { ...address, postalCode: '1234' },
    });
    expect(badPostal.statusCode).toBe(400);
    expect(badPostal.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.postalCode']);

    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(alice),
      payload: address,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ country: 'US', isDefault: true, version: 1 });

    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(alice),
    });
    expect(list.json().items.map((a: { id: string }) => a.id)).toContain(id);
    const bobsList = await app.inject({
      method: 'GET',
      url: '/api/v1/customers/me/addresses',
      headers: bearer(bob),
    });
    expect(bobsList.json().items).toEqual([]);

    for (const method of ['PATCH', 'DELETE'] as const) {
      const res = await app.inject({
        method,
        url: `/api/v1/customers/me/addresses/${id}`,
        headers: bearer(bob),
        ...(method === 'PATCH' ? { payload: { city: 'Elsewhere' } } : {}),
      });
      expect(res.statusCode).toBe(404);
    }
    const patched = await app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/me/addresses/${id}`,
      headers: bearer(alice),
      payload: { postalCode: '94103-1234', version: 1 },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ postalCode: '94103-1234', version: 2, city: 'San Francisco' });
    const stale = await app.inject({
      method: 'PATCH',
      url: `/api/v1/customers/me/addresses/${id}`,
      headers: bearer(alice),
      payload: { city: 'Oakland', version: 1 },
    });
    expect(stale.statusCode).toBe(409);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/customers/me/addresses/${id}`,
      headers: bearer(alice),
    });
    expect(del.statusCode).toBe(204);
  });

  it('keeps every preference version with who and when; the current view is the newest', async () => {
    const initial = await app.inject({
      method: 'GET',
      url: '/api/v1/customers/me/preferences',
      headers: bearer(alice),
    });
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({ version: 1, consents: { marketing: false } });
    const put = (payload: object) =>
      app.inject({ method: 'PUT', url: '/api/v1/customers/me/preferences', headers: bearer(alice), payload });
    const v2 = await put({ version: 1, consents: { marketing: true }, preferences: { language: 'en-GB' } });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json()).toMatchObject({
      version: 2,
      consents: { marketing: true, analytics: false },
      preferences: { language: 'en-GB', marketingEmail: false },
      changedBy: `customer:${aliceId}`,
    });
    expect((await put({ version: 1, consents: { analytics: true } })).statusCode).toBe(409);
    expect((await put({ preferences: { language: 'english' } })).statusCode).toBe(400);
    const v3 = await put({ consents: { marketing: false } });
    expect(v3.json().version).toBe(3);

    const history = await app.inject({
      method: 'GET',
      url: '/api/v1/customers/me/preferences/history?limit=2',
      headers: bearer(alice),
    });
    expect(history.json().items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const rest = await app.inject({
      method: 'GET',
      url: `/api/v1/customers/me/preferences/history?limit=2&cursor=${history.json().nextCursor}`,
      headers: bearer(alice),
    });
    expect(rest.json()).toMatchObject({
      items: [{ version: 1, changedBy: 'registration' }],
      nextCursor: null,
    });
    const current = await app.inject({
      method: 'GET',
      url: '/api/v1/customers/me/preferences',
      headers: bearer(alice),
    });
    expect(current.json()).toMatchObject({
      version: 3,
      consents: { marketing: false },
      preferences: { language: 'en-GB' },
    });
  });

  it('binds a cart created with a customer token to that customer: another customer gets 404', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/carts',
      headers: bearer(alice),
      payload: { currency: 'USD' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect(created.json().cartToken ?? null).toBeNull();
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/carts/${id}`, headers: bearer(alice) })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/carts/${id}`, headers: bearer(bob) })).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/carts/${id}` })).statusCode).toBe(404);
  });

  it('lets an admin list, get, suspend and reactivate customers; suspension ends sessions and logins', async () => {
    const admin = (await loginAs(app)).accessToken;
    const c = await verifiedCustomer(app);
    const token = (await customerToken(app, c)).accessToken;
    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/customers?email=${encodeURIComponent(c.email.toUpperCase())}`,
      headers: bearer(admin),
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    const page = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/customers?limit=1&status=active',
      headers: bearer(admin),
    });
    expect(page.json().items).toHaveLength(1);
    expect(page.json().nextCursor).toEqual(expect.any(String));
    const next = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/customers?limit=1&status=active&cursor=${page.json().nextCursor}`,
      headers: bearer(admin),
    });
    expect(next.json().items[0].id).not.toBe(page.json().items[0].id);
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/admin/customers/${c.id}`, headers: bearer(token) }))
        .statusCode,
    ).toBe(403);

    const suspend = await app.inject({
      method: 'POST',
      url: `/api/v1/admin/customers/${c.id}/status`,
      headers: bearer(admin),
      payload: { status: 'suspended', reason: 'chargeback fraud' },
    });
    expect(suspend.statusCode, suspend.body).toBe(200);
    expect(suspend.json().status).toBe('suspended');
    expect((await me(app, token)).statusCode).toBe(401);
    const refused = await customerLogin(app, c.email, c.password);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('account_disabled');

    const roles = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/customers/${c.id}/roles`,
      headers: bearer(admin),
      payload: { roles: ['customer', 'no_such_role'] },
    });
    expect(roles.statusCode).toBe(400);

    const reactivate = await app.inject({
      method: 'POST',
      url: `/api/v1/admin/customers/${c.id}/status`,
      headers: bearer(admin),
      payload: { status: 'active', reason: 'cleared' },
    });
    expect(reactivate.statusCode).toBe(200);
    const wholesale = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/customers/${c.id}/roles`,
      headers: bearer(admin),
      payload: { roles: ['customer', 'wholesale'] },
    });
    expect(wholesale.statusCode, wholesale.body).toBe(200);
    expect(wholesale.json()).toMatchObject({ roles: ['customer', 'wholesale'] });
    const fresh = (await customerToken(app, c)).accessToken;
    const claims = JSON.parse(Buffer.from(fresh.split('.')[1]!, 'base64url').toString('utf8'));
    expect(JSON.stringify(claims)).toContain('wholesale');
    const audit = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/customers/${c.id}/audit`,
      headers: bearer(admin),
    });
    expect(audit.json().items.map((i: { event: string }) => i.event)).toEqual(
      expect.arrayContaining(['status_changed', 'roles_changed', 'email_verified', 'registered']),
    );
  });
});
