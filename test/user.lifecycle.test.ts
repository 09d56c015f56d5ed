import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import type { AuthDB } from '../src/services/auth/data/tables.js';
import type { UserDB } from '../src/services/user/data/tables.js';
import { createStaff, login, loginPair, refresh, whoAmI } from './auth.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

interface OutboxRow {
  position: string;
  topic: string;
  key: string;
  envelope: unknown;
  status: string;
}
type WithOutbox<DB> = DB & { outbox: OutboxRow };

const dataOf = (row: OutboxRow) =>
  (
    (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope) as {
      data: Record<string, unknown>;
    }
  ).data;

describe.each(TEST_DATABASES)('staff lifecycle: events, session revocation, last admin (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  let userDb: Kysely<WithOutbox<UserDB>>;
  let authDb: Kysely<WithOutbox<AuthDB>>;
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: ['user', 'auth'] });
    app = platform.app;
    userDb = platform.orderline.database.forSchema('user');
    authDb = platform.orderline.database.forSchema('auth');
  });
  afterAll(async () => {
    await platform?.close();
  });

  const admin = async () => (await loginAs(app)).accessToken;
  const call = async (
    method: 'PATCH' | 'DELETE' | 'PUT' | 'POST',
    url: string,
    payload?: object,
    token?: string,
  ) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token ?? (await admin())),
      ...(payload ? { payload } : {}),
    });
  const eventsOf = (id: string) =>
    userDb.selectFrom('outbox').selectAll().where('key', '=', id).orderBy('position').execute();

  it('publishes user.created/updated/status_changed/deleted in the transactions of the changes (U-W1, U8)', async () => {
    const token = await admin();
    const staff = await createStaff(app, token);
    expect((await call('PATCH', `/admin/users/${staff.id}`, { name: 'Renamed' })).statusCode).toBe(200);
    expect(
      (await call('PUT', `/admin/users/${staff.id}/roles`, { roles: ['shipper', 'support'] })).statusCode,
    ).toBe(200);
    expect((await call('PATCH', `/admin/users/${staff.id}`, { status: 'suspended' })).statusCode).toBe(200);
    expect((await call('PATCH', `/admin/users/${staff.id}`, { status: 'active' })).statusCode).toBe(200);
    expect((await call('DELETE', `/admin/users/${staff.id}`)).statusCode).toBe(204);
    // A refused change publishes nothing.
    expect((await call('PATCH', `/admin/users/${staff.id}`, { name: 'Again' })).statusCode).toBe(409);

    const rows = await eventsOf(staff.id);
    expect(rows.map((r) => [r.topic, dataOf(r).status])).toEqual([
      ['user.created', 'active'],
      ['user.updated', 'active'],
      ['user.updated', 'active'],
      ['user.status_changed', 'suspended'],
      ['user.status_changed', 'active'],
      ['user.deleted', 'deleted'],
    ]);
    expect(dataOf(rows[0]!)).toMatchObject({ userId: staff.id, role: 'shipper' });
    expect(JSON.stringify(rows.map((r) => r.envelope))).not.toContain(staff.email);
    // Every topic written is actually relayed (U-W1: none is dropped as "done").
    await waitFor(
      async () => (await eventsOf(staff.id)).every((r) => r.status === 'published'),
      'user events published',
    );
  });

  it('suspension revokes every session of the account through user.status_changed (U1)', async () => {
    const staff = await createStaff(app, await admin());
    const a = await loginPair(app, staff.email, staff.password, 'shipper');
    await loginPair(app, staff.email, staff.password, 'shipper');
    expect((await call('PATCH', `/admin/users/${staff.id}`, { status: 'suspended' })).statusCode).toBe(200);

    const reasons = () =>
      authDb.selectFrom('sessions').select('revoke_reason').where('principal_id', '=', staff.id).execute();
    await waitFor(
      async () => (await reasons()).every((r) => r.revoke_reason === 'user_suspended'),
      'sessions revoked by the auth consumer',
    );
    expect(await reasons()).toHaveLength(2);
    // Reactivation does not bring the old sessions back.
    expect((await call('PATCH', `/admin/users/${staff.id}`, { status: 'active' })).statusCode).toBe(200);
    expect((await whoAmI(app, a.accessToken)).json().code).toBe('session_revoked');
    expect((await refresh(app, a.refreshToken)).statusCode).toBe(401);
  });

  it('deletion revokes the sessions through user.deleted', async () => {
    const staff = await createStaff(app, await admin());
    await loginPair(app, staff.email, staff.password, 'shipper');
    expect((await call('DELETE', `/admin/users/${staff.id}`)).statusCode).toBe(204);
    await waitFor(async () => {
      const rows = await authDb
        .selectFrom('sessions')
        .select('revoke_reason')
        .where('principal_id', '=', staff.id)
        .execute();
      return rows.length === 1 && rows[0]!.revoke_reason === 'user_deleted';
    }, 'session revoked after deletion');
  });

  it('an admin password reset ends the sessions, clears the lockout and publishes auth.password_changed', async () => {
    const staff = await createStaff(app, await admin());
    const pair = await loginPair(app, staff.email, staff.password, 'shipper');
    const newPassword = 'a-brand-new-password-123';
    const res = await call('POST', `/admin/users/${staff.id}/password`, { password: newPassword });
    expect(res.statusCode, res.body).toBe(204);

    expect((await whoAmI(app, pair.accessToken)).json().code).toBe('session_revoked');
    expect((await login(app, staff.email, staff.password, 'shipper')).statusCode).toBe(401);
    expect((await login(app, staff.email, newPassword, 'shipper')).statusCode).toBe(200);
    const events = await authDb
      .selectFrom('outbox')
      .selectAll()
      .where('key', '=', staff.id)
      .where('topic', '=', 'auth.password_changed')
      .execute();
    expect(events.map(dataOf)).toEqual([
      expect.objectContaining({ principalId: staff.id, principalType: 'shipper', reason: 'reset' }),
    ]);
  });

  it('validates the password reset: short password 400, unknown user 404, shipper caller 403', async () => {
    const staff = await createStaff(app, await admin());
    expect((await call('POST', `/admin/users/${staff.id}/password`, { password: 'short' })).statusCode).toBe(
      400,
    );
    const unknown = await call('POST', '/admin/users/0190a0f4-7b7a-7cc1-9a55-3c1f8a0f4d11/password', {
      password: 'long-enough-password',
    });
    expect(unknown.statusCode).toBe(404);
    const shipperToken = (await loginPair(app, staff.email, staff.password, 'shipper')).accessToken;
    const forbidden = await call(
      'POST',
      `/admin/users/${staff.id}/password`,
      { password: 'long-enough-password' },
      shipperToken,
    );
    expect(forbidden.statusCode).toBe(403);
  });

  it('refuses to suspend, delete or demote the last active administrator (409 last_admin)', async () => {
    const token = await admin();
    const second = await createStaff(app, token, { type: 'admin', roles: ['admin'] });
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users?status=active&limit=100',
      headers: bearer(token),
    });
    const admins = (list.json().items as { id: string; roles: string[] }[]).filter((u) =>
      u.roles.includes('admin'),
    );
    const others = admins.filter((u) => u.id !== second.id);
    expect(others.length).toBeGreaterThan(0);

    // While others remain, the second admin can be demoted and restored.
    expect((await call('PUT', `/admin/users/${second.id}/roles`, { roles: ['support'] })).statusCode).toBe(
      200,
    );
    expect((await call('PUT', `/admin/users/${second.id}/roles`, { roles: ['admin'] })).statusCode).toBe(200);
    // Logged in after the role changes: a token from before them is stale (U3).
    const secondToken = (await loginPair(app, second.email, second.password, 'admin')).accessToken;

    // The second admin takes every other administrator away …
    for (const other of others)
      expect((await call('DELETE', `/admin/users/${other.id}`, undefined, secondToken)).statusCode).toBe(204);
    // … after which nobody can remove the last one: not by suspension, deletion or demotion.
    const newcomer = await createStaff(app, secondToken, { type: 'admin', roles: ['support'] });
    expect(newcomer.id).toBeTruthy();
    const viaRoles = await call(
      'PUT',
      `/admin/users/${second.id}/roles`,
      { roles: ['support'] },
      secondToken,
    );
    expect(viaRoles.statusCode).toBe(409);
    expect(viaRoles.json().code).toBe('last_admin');
    const upgrade = await call('PUT', `/admin/users/${newcomer.id}/roles`, { roles: ['admin'] }, secondToken);
    expect(upgrade.statusCode).toBe(200);
    const newcomerToken = (await loginPair(app, newcomer.email, newcomer.password, 'admin')).accessToken;

    // Two administrators removing each other at the same time: exactly one wins. The other is
    // refused by the guard (409 last_admin) or, when the winner committed before its token was
    // checked, as a suspended caller (401). Either way an active administrator remains.
    const [a, b] = await Promise.all([
      call('PATCH', `/admin/users/${newcomer.id}`, { status: 'suspended' }, secondToken),
      call('PATCH', `/admin/users/${second.id}`, { status: 'suspended' }, newcomerToken),
    ]);
    const statuses = [a.statusCode, b.statusCode];
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const loser = a.statusCode === 200 ? b : a;
    if (loser.statusCode === 409) expect(loser.json().code).toBe('last_admin');
    else expect(loser.statusCode).toBe(401);
    const remaining = await userDb
      .selectFrom('staff_users')
      .select('id')
      .where('id', 'in', [second.id, newcomer.id])
      .where('status', '=', 'active')
      .execute();
    expect(remaining).toHaveLength(1);
  });
});
