import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { ANALYTICS_ENV, ANALYTICS_REPORTS, analyticsDump } from './analytics.fixtures.js';
import { bearer, loginAs, startTestPlatform, type TestPlatform } from './harness.js';

const API = '/api/v1';
const SERVICES = ['user', 'auth', 'analytics'];

const RAW = {
  email: 'ada.lovelace.unique@example.org',
  firstName: 'Adalinda',
  lastName: 'Lovelacequist',
  ipv4: '203.0.113.77',
  ipv6: '2001:db8:85a3:1234:5678:8a2e:370:7334',
  userAgent: 'Mozilla/5.0 (RawAgentUnique; rv:123.0) Gecko/20100101',
  urlSecret: 'token=s3cr3t-reset-token',
};

describe('analytics storefront ingest', () => {
  let platform: TestPlatform;
  let admin: Record<string, string>;
  const post = (events: unknown[], headers: Record<string, string> = {}, ip = RAW.ipv4) =>
    platform.app.inject({
      method: 'POST',
      url: `${API}/analytics/events`,
      payload: { events },
      headers,
      remoteAddress: ip,
    });
  beforeAll(async () => {
    platform = await startTestPlatform('pglite', { services: SERVICES, env: ANALYTICS_ENV });
    admin = bearer((await loginAs(platform.app)).accessToken);
  });
  afterAll(() => platform?.close());

  const count = async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT COUNT(*)::int AS n FROM analytics.events WHERE source = 'storefront'`.execute(
      platform.orderline.database.root,
    );
    return rows[0]!.n;
  };

  it('accepts a batch with 202, stores each event once and drops resends (with or without ids)', async () => {
    const session = newId();
    const at = new Date(Date.now() - 60_000).toISOString();
    const productId = newId();
    const events = [
      { type: 'page_view', sessionId: session, url: 'https://shop.example/', occurredAt: at },
      { id: newId(), type: 'product_view', sessionId: session, productId, occurredAt: at },
      { type: 'add_to_cart', sessionId: session, productId, occurredAt: at },
    ];
    const first = await post(events);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual({ accepted: 3, duplicates: 0 });
    await waitFor(async () => (await count()) === 3, 'three stored events');
    // Delivered twice: the same ids (given or derived from the content) are dropped.
    const again = await post(events);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 3 });
    // A duplicate inside one batch counts once too.
    const now = new Date().toISOString();
    const twice = await post([events[0], { ...events[0] }].map((e) => ({ ...e, occurredAt: now })));
    expect(twice.json()).toEqual({ accepted: 1, duplicates: 1 });
    await waitFor(async () => (await count()) === 4, 'four stored events');
    await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(4);

    const perf = await platform.app.inject({
      method: 'GET',
      url: `${API}/analytics/products/performance`,
      headers: admin,
    });
    expect(perf.statusCode, perf.body).toBe(200);
    expect(perf.json().views).toEqual([{ productId, sku: null, views: 1, addToCarts: 1 }]);
    const customers = await platform.app.inject({
      method: 'GET',
      url: `${API}/analytics/customers/summary`,
      headers: admin,
    });
    expect(customers.json().funnel.slice(0, 3)).toEqual([
      { stage: 'page_view', sessions: 1 },
      { stage: 'product_view', sessions: 1 },
      { stage: 'add_to_cart', sessions: 1 },
    ]);
  });

  it('masks PII before storage: no raw value in any stored row or any analytics response', async () => {
    const at = new Date(Date.now() - 1000).toISOString();
    const visitor = { email: RAW.email, firstName: RAW.firstName, lastName: RAW.lastName };
    const v4 = await post(
      [
        {
          type: 'page_view',
          sessionId: newId(),
          url: `https://shop.example/reset?${RAW.urlSecret}&email=${RAW.email}`,
          referrer: `https://mail.example/?${RAW.urlSecret}`,
          occurredAt: at,
          visitor,
        },
      ],
      { 'user-agent': RAW.userAgent, traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    );
    expect(v4.statusCode, v4.body).toBe(202);
    const v6 = await post(
      [{ type: 'checkout_started', sessionId: newId(), occurredAt: at, visitor }],
      { 'user-agent': RAW.userAgent },
      RAW.ipv6,
    );
    expect(v6.statusCode, v6.body).toBe(202);
    await waitFor(async () => (await count()) === 6, 'the PII events stored');

    const dump = await analyticsDump(platform);
    for (const raw of Object.values(RAW)) expect(dump).not.toContain(raw);
    expect(dump).not.toContain('ada.lovelace');
    expect(dump).toContain('203.0.113.0');
    expect(dump).toContain('2001:db8:85a3::');
    expect(dump).toContain('@example.org');
    expect(dump).toContain('"firstName":"A."');
    expect(dump).toContain('"lastName":"L."');
    expect(dump).toContain('a'.repeat(32)); // trace id from traceparent
    for (const url of ANALYTICS_REPORTS) {
      const res = await platform.app.inject({ method: 'GET', url: `${API}${url}`, headers: admin });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      for (const raw of Object.values(RAW)) expect(res.body, url).not.toContain(raw);
    }
  });

  it('refuses bad input with 400 and stores nothing of it (G8)', async () => {
    const before = await count();
    const at = new Date().toISOString();
    const bad = [
      [],
      [{ type: 'purchase', sessionId: 's', occurredAt: at }],
      [{ type: 'page_view', occurredAt: at }],
      [{ type: 'page_view', sessionId: 's', occurredAt: 'yesterday' }],
      [{ type: 'page_view', sessionId: 's', occurredAt: new Date(Date.now() + 3_600_000).toISOString() }],
      [{ type: 'page_view', sessionId: 's', occurredAt: at, visitor: { email: 'not-an-email' } }],
      Array.from({ length: 501 }, () => ({ type: 'page_view', sessionId: newId(), occurredAt: at })),
    ];
    for (const events of bad) {
      const res = await post(events);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().code).toBe('validation_failed');
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(before);
  });

  it('validates report windows and requires an admin', async () => {
    for (const q of [
      '?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      '?from=nonsense',
      '?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      '?limit=5',
    ]) {
      const res = await platform.app.inject({
        method: 'GET',
        url: `${API}/analytics/revenue${q}`,
        headers: admin,
      });
      expect(res.statusCode, `${q}: ${res.body}`).toBe(400);
    }
    const anonymous = await platform.app.inject({ method: 'GET', url: `${API}/analytics/revenue` });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('analytics ingest backpressure', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform('pglite', {
      services: SERVICES,
      // The queue holds 3 events and is written only every minute: it fills at once.
      env: { ...ANALYTICS_ENV, ANALYTICS_INGEST_QUEUE_MAX: '3', ANALYTICS_INGEST_FLUSH_MS: '60000' },
    });
  });
  afterAll(() => platform?.close());

  it('answers 429 ingest_queue_full with Retry-After when the queue has no room, in parallel too', async () => {
    const at = new Date().toISOString();
    const batch = (n: number) =>
      Array.from({ length: n }, () => ({ type: 'page_view', sessionId: newId(), occurredAt: at }));
    const send = (n: number) =>
      platform.app.inject({ method: 'POST', url: `${API}/analytics/events`, payload: { events: batch(n) } });
    const results = await Promise.all([send(2), send(2), send(2)]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([202, 429, 429]);
    const refused = results.find((r) => r.statusCode === 429)!;
    expect(refused.json().code).toBe('ingest_queue_full');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await send(1)).statusCode).toBe(202);
    expect((await send(1)).statusCode).toBe(429);
  });
});
