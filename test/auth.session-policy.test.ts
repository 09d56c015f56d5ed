import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDB } from '../src/services/auth/data/tables.js';
import { createStaff, login, loginPair, refresh, whoAmI } from './auth.fixtures.js';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  loginAs,
  startTestPlatform,
  TEST_DATABASES,
  type TestPlatform,
} from './harness.js';

const ADMIN_LIMIT = 3;
const SHIPPER_LIMIT = 2;

describe.each(TEST_DATABASES)('session policy: limits, events and cleanup (%s)', (database) => {
  let platform: TestPlatform;
  let app: TestPlatform['app'];
  let authDb: Kysely<AuthDB & { outbox: { topic: string; key: string; envelope: unknown } }>;
  beforeAll(async () => {
    platform = await startTestPlatform(database, {
      services: ['user', 'auth'],
      env: {
        AUTH_SESSION_LIMIT_ADMIN: String(ADMIN_LIMIT),
        AUTH_SESSION_LIMIT_SHIPPER: String(SHIPPER_LIMIT),
      },
    });
    app = platform.app;
    authDb = platform.orderline.database.forSchema('auth');
  });
  afterAll(async () => {
    await platform?.close();
  });

  const liveSessions = async (principalId: string) =>
    authDb
      .selectFrom('sessions')
      .select(['id', 'revoke_reason'])
      .where('principal_id', '=', principalId)
      .where('revoked_at', 'is', null)
      .execute();

  it('a login beyond the limit evicts the oldest session, and only it', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    const first = await loginPair(app, shipper.email, shipper.password, 'shipper');
    const second = await loginPair(app, shipper.email, shipper.password, 'shipper');
    expect((await whoAmI(app, first.accessToken)).statusCode).toBe(200);

    const third = await loginPair(app, shipper.email, shipper.password, 'shipper');
    const evicted = await whoAmI(app, first.accessToken);
    expect(evicted.statusCode).toBe(401);
    expect(evicted.json().code).toBe('session_revoked');
    expect((await refresh(app, first.refreshToken)).statusCode).toBe(401);
    expect((await whoAmI(app, second.accessToken)).statusCode).toBe(200);
    expect((await whoAmI(app, third.accessToken)).statusCode).toBe(200);

    const rows = await authDb
      .selectFrom('sessions')
      .select(['revoke_reason'])
      .where('principal_id', '=', shipper.id)
      .where('revoked_at', 'is not', null)
      .execute();
    expect(rows).toEqual([{ revoke_reason: 'session_limit' }]);
  });

  it('applies the limit of the principal type (admin)', async () => {
    const pairs = [];
    for (let i = 0; i < ADMIN_LIMIT + 2; i++) pairs.push(await loginPair(app, ADMIN_EMAIL, ADMIN_PASSWORD));
    const statuses = await Promise.all(pairs.map(async (p) => (await whoAmI(app, p.accessToken)).statusCode));
    expect(statuses).toEqual([401, 401, 200, 200, 200]);
  });

  it('concurrent logins never leave more live sessions than the limit', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => login(app, shipper.email, shipper.password, 'shipper')),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await liveSessions(shipper.id)).toHaveLength(SHIPPER_LIMIT);
    // The survivors are exactly the tokens that still work.
    const working = await Promise.all(
      results.map(async (r) => (await whoAmI(app, r.json().accessToken)).statusCode === 200),
    );
    expect(working.filter(Boolean)).toHaveLength(SHIPPER_LIMIT);
  });

  it('publishes auth.login with ids only (no email, IP or user agent) on every successful login', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    await loginPair(app, shipper.email, shipper.password, 'shipper');
    expect((await login(app, shipper.email, 'wrong-password-here', 'shipper')).statusCode).toBe(401);

    const events = await authDb.selectFrom('outbox').selectAll().where('key', '=', shipper.id).execute();
    expect(events.map((e) => e.topic)).toEqual(['auth.login']);
    const envelope = (
      typeof events[0]!.envelope === 'string' ? JSON.parse(events[0]!.envelope) : events[0]!.envelope
    ) as { data: Record<string, unknown> };
    expect(Object.keys(envelope.data).sort()).toEqual([
      'occurredAt',
      'principalId',
      'principalType',
      'sessionId',
    ]);
    expect(envelope.data).toMatchObject({ principalId: shipper.id, principalType: 'shipper' });
    expect(JSON.stringify(envelope)).not.toContain(shipper.email);
  });

  it('refuses to refresh a session idle longer than the idle limit, and ends it', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const shipper = await createStaff(app, adminToken);
    const pair = await loginPair(app, shipper.email, shipper.password, 'shipper');
    await authDb
      .updateTable('sessions')
      .set({ last_used_at: sql`now() - interval '8 days'` })
      .where('principal_id', '=', shipper.id)
      .execute();
    const res = await refresh(app, pair.refreshToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_refresh_token');
    expect(await liveSessions(shipper.id)).toHaveLength(0);
  });

  it('the cleanup job deletes idle and too old sessions with their refresh tokens, and nothing else', async () => {
    const adminToken = (await loginAs(app)).accessToken;
    const [idle, old, fresh] = [
      await createStaff(app, adminToken),
      await createStaff(app, adminToken),
      await createStaff(app, adminToken),
    ];
    for (const s of [idle, old, fresh]) await loginPair(app, s.email, s.password, 'shipper');
    await authDb
      .updateTable('sessions')
      .set({ last_used_at: sql`now() - interval '7 days 1 minute'` })
      .where('principal_id', '=', idle.id)
      .execute();
    await authDb
      .updateTable('sessions')
      .set({ created_at: sql`now() - interval '31 days'` } as never)
      .where('principal_id', '=', old.id)
      .execute();

    const cleaned = async () => {
      const metric = await platform.orderline.metrics.registry
        .getSingleMetric('orderline_auth_sessions_cleaned_total')!
        .get();
      return Object.fromEntries(metric.values.map((v) => [v.labels.reason, v.value]));
    };
    const before = await cleaned();
    // Sessions left idle by earlier tests of this file are cleaned too: only ours are asserted.
    const stale = await authDb
      .selectFrom('sessions')
      .select('id')
      .where('last_used_at', '<', sql<Date>`now() - interval '7 days'`)
      .where('principal_id', '<>', idle.id)
      .execute();
    const outcome = await platform.orderline.eventing.scheduler('auth')!.runNow('session-cleanup');
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const remaining = await authDb
      .selectFrom('sessions')
      .select('principal_id')
      .where('principal_id', 'in', [idle.id, old.id, fresh.id])
      .execute();
    expect(remaining.map((r) => r.principal_id)).toEqual([fresh.id]);
    const orphanTokens = await authDb
      .selectFrom('refresh_tokens')
      .leftJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .select('refresh_tokens.id')
      .where('sessions.id', 'is', null)
      .execute();
    expect(orphanTokens).toEqual([]);

    const after = await cleaned();
    expect((after.idle ?? 0) - (before.idle ?? 0)).toBe(1 + stale.length);
    expect((after.absolute ?? 0) - (before.absolute ?? 0)).toBe(1);
    expect(outcome).toMatchObject({ items: 2 + stale.length });
  });
});
