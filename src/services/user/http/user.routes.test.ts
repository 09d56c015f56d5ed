import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  loginAs,
  startTestPlatform,
  TEST_DATABASES,
  type TestPlatform,
} from '../../../../test/harness.js';

describe.each(TEST_DATABASES)('staff admin API (%s)', (database) => {
  let platform: TestPlatform;
  let token: string;
  let seq = 0;
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: ['user', 'auth'] });
    token = (await loginAs(platform.app)).accessToken;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token),
      ...(payload ? { payload } : {}),
    });
  const uniqueEmail = () => `user${++seq}-${database}@Test.Orderline.Local`;
  const create = (overrides: Record<string, unknown> = {}) =>
    call('POST', '/admin/users', {
      email: uniqueEmail(),
      name: 'Pat Picker',
      type: 'shipper',
      password: 'long-enough-password',
      ...overrides,
    });

  it('creates a staff account with a normalized email and default roles, never exposing the hash', async () => {
    const res = await create({ email: '  Pat.Picker@Example.COM ' });
    expect(res.statusCode, res.body).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({
      email: 'pat.picker@example.com',
      type: 'shipper',
      status: 'active',
      roles: ['shipper'],
      permissions: ['fulfillment:read', 'fulfillment:write', 'shipping:write'],
      permissionsVersion: 1,
    });
    expect(res.body).not.toMatch(/password|argon2/i);
  });

  it('refuses a second account with the same email in any case: 409 email_taken', async () => {
    const email = uniqueEmail();
    expect((await create({ email })).statusCode).toBe(201);
    const again = await create({ email: email.toUpperCase() });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('email_taken');
  });

  it('validates input: short password, unknown type, bad email, unknown role', async () => {
    for (const body of [{ password: 'short' }, { type: 'ceo' }, { email: 'not-an-email' }, { name: '' }]) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
    const role = await create({ roles: ['ghost'] });
    expect(role.statusCode).toBe(400);
    expect(role.json().detail).toContain('ghost');
  });

  it('creates with explicit roles, including none', async () => {
    const res = await create({ type: 'admin', roles: ['catalog_manager', 'support'] });
    expect(res.json()).toMatchObject({
      roles: ['catalog_manager', 'support'],
      permissions: ['catalog:write', 'customers:read', 'orders:read', 'reviews:read'],
    });
    expect((await create({ roles: [] })).json()).toMatchObject({ roles: [], permissions: [] });
  });

  it('pages through every account with an opaque cursor, each exactly once', async () => {
    for (let i = 0; i < 5; i++) await create();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call('GET', `/admin/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    const all = (await call('GET', '/admin/users?limit=100')).json().items.map((u: { id: string }) => u.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(6);
  });

  it('defaults the page size to 20 and refuses a limit over 100 or a forged cursor', async () => {
    for (let i = 0; i < 18; i++) await create();
    const page = (await call('GET', '/admin/users')).json();
    expect(page.items).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect((await call('GET', '/admin/users?limit=101')).statusCode).toBe(400);
    const forged = await call('GET', '/admin/users?cursor=bm90LWEtY3Vyc29y');
    expect(forged.statusCode).toBe(400);
    expect(forged.json().code).toBe('validation_failed');
  });

  it('filters the list by status', async () => {
    const id = (await create()).json().id;
    await call('PATCH', `/admin/users/${id}`, { status: 'suspended' });
    const items = (await call('GET', '/admin/users?status=suspended&limit=100')).json().items as {
      id: string;
      status: string;
    }[];
    expect(items.map((u) => u.id)).toContain(id);
    expect(items.every((u) => u.status === 'suspended')).toBe(true);
  });

  it('gets one account; 404 for an unknown id, 400 for a malformed one', async () => {
    const id = (await create()).json().id;
    expect((await call('GET', `/admin/users/${id}`)).json().id).toBe(id);
    const missing = await call('GET', '/admin/users/01900000-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
    expect((await call('GET', '/admin/users/nope')).statusCode).toBe(400);
  });

  it('renames, suspends and reactivates', async () => {
    const id = (await create()).json().id;
    expect((await call('PATCH', `/admin/users/${id}`, { name: 'Sam Shipper' })).json()).toMatchObject({
      name: 'Sam Shipper',
      status: 'active',
    });
    expect((await call('PATCH', `/admin/users/${id}`, { status: 'suspended' })).json().status).toBe(
      'suspended',
    );
    expect((await call('PATCH', `/admin/users/${id}`, { status: 'active' })).json().status).toBe('active');
    expect((await call('PATCH', `/admin/users/${id}`, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/admin/users/${id}`, { status: 'deleted' })).statusCode).toBe(400);
  });

  it('soft-deletes: the account stays readable as deleted and can no longer change', async () => {
    const id = (await create()).json().id;
    expect((await call('DELETE', `/admin/users/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/admin/users/${id}`)).json().status).toBe('deleted');
    expect((await call('DELETE', `/admin/users/${id}`)).statusCode).toBe(204);
    const patch = await call('PATCH', `/admin/users/${id}`, { status: 'active' });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().code).toBe('invalid_transition');
    expect((await call('PUT', `/admin/users/${id}/roles`, { roles: ['support'] })).statusCode).toBe(409);
    expect((await call('DELETE', '/admin/users/01900000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('does not let an admin suspend or delete their own account', async () => {
    const me = (await call('GET', '/admin/users?limit=1')).json().items[0].id;
    const suspend = await call('PATCH', `/admin/users/${me}`, { status: 'suspended' });
    expect(suspend.statusCode).toBe(409);
    expect(suspend.json().code).toBe('self_modification');
    expect((await call('DELETE', `/admin/users/${me}`)).statusCode).toBe(409);
  });

  it('replaces roles and reports 404 for an unknown user', async () => {
    const id = (await create()).json().id;
    const res = await call('PUT', `/admin/users/${id}/roles`, {
      roles: ['support', 'support', 'catalog_manager'],
    });
    expect(res.json()).toMatchObject({ roles: ['catalog_manager', 'support'], permissionsVersion: 2 });
    expect(
      (await call('PUT', '/admin/users/01900000-0000-7000-8000-000000000000/roles', { roles: [] }))
        .statusCode,
    ).toBe(404);
  });

  it('lists the seeded roles with their permissions', async () => {
    const res = await call('GET', '/admin/roles');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { name: 'admin', description: expect.any(String), permissions: ['*'] },
      { name: 'catalog_manager', description: expect.any(String), permissions: ['catalog:write'] },
      { name: 'moderator', description: expect.any(String), permissions: ['reviews:read', 'reviews:write'] },
      {
        name: 'shipper',
        description: expect.any(String),
        permissions: ['fulfillment:read', 'fulfillment:write', 'shipping:write'],
      },
      {
        name: 'support',
        description: expect.any(String),
        permissions: ['customers:read', 'orders:read', 'reviews:read'],
      },
    ]);
  });

  it('exposes getUser to other services through the client', async () => {
    const id = (await create()).json().id;
    const user = await platform.orderline.clients.user!.getUser(id);
    expect(user).toMatchObject({ id, type: 'shipper', roles: ['shipper'] });
    expect(user).not.toHaveProperty('password_hash');
    expect(
      await platform.orderline.clients.user!.getUser('01900000-0000-7000-8000-000000000000'),
    ).toBeUndefined();
  });
});
