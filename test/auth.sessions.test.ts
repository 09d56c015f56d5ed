import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, loginPair, refresh, whoAmI } from './auth.fixtures.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  bearer,
  loginAs,
  startTestPlatform,
  TEST_DATABASES,
  type TestPlatform,
} from './harness.js';

describe.each(TEST_DATABASES)('refresh rotation, logout and sessions (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: ['user', 'auth'] });
    app = platform.app;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const adminPair = () => loginPair(app, ADMIN_EMAIL, ADMIN_PASSWORD);

  it('rotates: the new pair works and the old refresh token no longer does', async () => {
    const first = await adminPair();
    const res = await refresh(app, first.refreshToken);
    expect(res.statusCode, res.body).toBe(200);
    const second = res.json();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await whoAmI(app, second.accessToken)).statusCode).toBe(200);

    const replay = await refresh(app, first.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('refresh_token_reused');
  });

  it('reuse of a rotated token revokes the session: the newest refresh and access tokens stop working', async () => {
    const first = await adminPair();
    const second = (await refresh(app, first.refreshToken)).json();
    const third = (await refresh(app, second.refreshToken)).json();
    expect((await whoAmI(app, third.accessToken)).statusCode).toBe(200);

    expect((await refresh(app, first.refreshToken)).statusCode).toBe(401);

    const access = await whoAmI(app, third.accessToken);
    expect(access.statusCode).toBe(401);
    expect(access.json().code).toBe('session_revoked');
    const newest = await refresh(app, third.refreshToken);
    expect(newest.statusCode).toBe(401);
    expect(newest.json().code).toBe('invalid_refresh_token');
  });

  it('of concurrent refreshes with the same token exactly one succeeds', async () => {
    const pair = await adminPair();
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(app, pair.refreshToken)));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401]);
  });

  it('refuses an unknown or malformed refresh token with 401', async () => {
    expect((await refresh(app, 'A'.repeat(43))).json().code).toBe('invalid_refresh_token');
    expect((await refresh(app, 'not a token')).statusCode).toBe(401);
  });

  it('logout revokes the current session: its access and refresh tokens stop working', async () => {
    const pair = await adminPair();
    const other = await adminPair();
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(pair.accessToken),
    });
    expect(out.statusCode).toBe(204);
    expect((await whoAmI(app, pair.accessToken)).statusCode).toBe(401);
    expect((await refresh(app, pair.refreshToken)).statusCode).toBe(401);
    // Only that session: another login of the same account is untouched.
    expect((await whoAmI(app, other.accessToken)).statusCode).toBe(200);
  });

  it('logout requires a token', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(res.statusCode).toBe(401);
  });

  it('lists own live sessions, marks the current one, and deletes one of them', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    const a = await loginPair(app, shipper.email, shipper.password, 'shipper');
    const b = await loginPair(app, shipper.email, shipper.password, 'shipper');

    const list = await whoAmI(app, a.accessToken);
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; current: boolean }[];
    expect(items).toHaveLength(2);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    const other = items.find((s) => !s.current)!;

    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${other.id}`,
      headers: bearer(a.accessToken),
    });
    expect(del.statusCode).toBe(204);
    expect((await whoAmI(app, b.accessToken)).statusCode).toBe(401);
    expect((await whoAmI(app, a.accessToken)).json().items).toHaveLength(1);
  });

  it("answers 404 for another principal's session and leaves it alone", async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    const theirs = await loginPair(app, shipper.email, shipper.password, 'shipper');
    const theirSessionId = ((await whoAmI(app, theirs.accessToken)).json().items as { id: string }[])[0]!.id;

    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${theirSessionId}`,
      headers: bearer(adminToken),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
    expect((await whoAmI(app, theirs.accessToken)).statusCode).toBe(200);
  });

  it('revokeAllSessions ends every session of a principal', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    const a = await loginPair(app, shipper.email, shipper.password, 'shipper');
    const b = await loginPair(app, shipper.email, shipper.password, 'shipper');
    const revoked = await platform.orderline.clients.auth!.revokeAllSessions('shipper', shipper.id, 'test');
    expect(revoked).toBe(2);
    expect((await whoAmI(app, a.accessToken)).statusCode).toBe(401);
    expect((await whoAmI(app, b.accessToken)).statusCode).toBe(401);
    expect((await refresh(app, b.refreshToken)).statusCode).toBe(401);
  });
});
