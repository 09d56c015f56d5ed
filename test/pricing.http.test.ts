import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PricingClient } from '../src/services/pricing/contract/client.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/**
 * Pricing through the public admin API and the in-process client (issue 4): history, effective
 * dates, bulk JSON/CSV, overrides (PR-P1-03), stale rates (PR-P0-02), exact conversion and large
 * totals (PR-P0-03), tax, and the cache (PR-P0-01).
 */
const HOUR = 3_600_000;
const PASSWORD = 'pricing-manager-password-1';

describe.each(TEST_DATABASES)('pricing admin and quotes (%s)', (kind) => {
  let platform: TestPlatform;
  let token: string;
  let pricing: PricingClient;
  const dir = mkdtempSync(join(tmpdir(), `orderline-rates-${kind}-`));
  const ratesFile = join(dir, 'rates.json');

  const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, auth = token) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(auth),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const putPrice = (sku: string, body: Record<string, unknown>, auth = token) =>
    call('PUT', `/admin/prices/${sku}`, body, auth);
  const db = () => platform.orderline.database.root;

  async function staffToken(email: string, roles: string[]): Promise<string> {
    const res = await call('POST', '/admin/users', {
      email,
      name: email,
      type: 'admin',
      password: PASSWORD,
      roles,
    });
    expect(res.statusCode).toBe(201);
    return (await loginAs(platform.app, email, PASSWORD)).accessToken;
  }

  beforeAll(async () => {
    writeFileSync(
      ratesFile,
      JSON.stringify({ base: 'USD', rates: { GBP: '0.5' }, asOf: new Date().toISOString() }),
    );
    platform = await startTestPlatform(kind, {
      services: ['user', 'auth', 'catalog', 'pricing'],
      env: { PRICING_EXCHANGE_RATES_FILE: ratesFile, PRICING_EXCHANGE_RATE_MAX_AGE_MINUTES: '60' },
    });
    token = (await loginAs(platform.app)).accessToken;
    pricing = platform.orderline.clients.pricing!;
    for (const sku of [
      'MUG-1',
      'MUG-2',
      'MUG-3',
      'TEE-1',
      'TEE-2',
      'BIG-1',
      'EU-1',
      'OVR-1',
      'CSH-1',
      'CON-1',
    ])
      expect((await call('POST', '/admin/products', { sku, name: `Product ${sku}` })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets a price an admin can quote through the client, and keeps every change as history', async () => {
    for (const amount of ['2500', '2400', '2300']) {
      const res = await putPrice('mug-1', { amount, currency: 'USD' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        sku: 'MUG-1',
        amount,
        currency: 'USD',
        effectiveTo: null,
        source: 'manual',
      });
    }
    const quote = await pricing.quote([{ sku: 'MUG-1', quantity: 3 }], 'USD');
    expect(quote.lines[0]).toMatchObject({
      unitPrice: { amount: 2300n },
      lineTotal: { amount: 6900n, currency: 'USD' },
    });
    expect(quote.subtotal).toEqual({ amount: 6900n, currency: 'USD' });

    const history = (await call('GET', '/admin/prices/MUG-1/history?limit=2')).json();
    expect(history.items.map((p: { amount: string }) => p.amount)).toEqual(['2300', '2400']);
    expect(history.items[0].effectiveTo).toBeNull();
    expect(history.items[1].effectiveTo).toBe(history.items[0].effectiveFrom);
    const rest = (await call('GET', `/admin/prices/MUG-1/history?cursor=${history.nextCursor}`)).json();
    expect(rest.items.map((p: { amount: string }) => p.amount)).toEqual(['2500']);
    expect(rest.nextCursor).toBeNull();

    const events = await db()
      .withSchema('pricing')
      .selectFrom('outbox')
      .select('envelope')
      .where('key', '=', 'MUG-1')
      .orderBy('id')
      .execute();
    const data = events.map(
      (e) => (typeof e.envelope === 'string' ? JSON.parse(e.envelope) : e.envelope).data,
    );
    expect(data.map((d) => [d.oldPrice?.amount ?? null, d.newPrice.amount])).toEqual([
      [null, '2500'],
      ['2500', '2400'],
      ['2400', '2300'],
    ]);
  });

  it('does not apply a future price now, and a bounded sale hands back to the regular price', async () => {
    expect((await putPrice('MUG-2', { amount: '1000', currency: 'USD' })).statusCode).toBe(200);
    const tomorrow = new Date(Date.now() + 24 * HOUR).toISOString();
    const future = await putPrice('MUG-2', { amount: '1200', currency: 'USD', effectiveFrom: tomorrow });
    expect(future.statusCode).toBe(200);
    expect((await pricing.unitPrices(['MUG-2'], 'USD')).get('MUG-2')?.amount).toBe(1000n);

    const from = new Date(Date.now() + HOUR).toISOString();
    const to = new Date(Date.now() + 2 * HOUR).toISOString();
    expect(
      (await putPrice('MUG-2', { amount: '800', currency: 'USD', effectiveFrom: from, effectiveTo: to }))
        .statusCode,
    ).toBe(200);
    const rows = (await call('GET', '/admin/prices/MUG-2/history')).json().items as {
      amount: string;
      effectiveFrom: string;
      effectiveTo: string | null;
    }[];
    const windows = rows
      .map((r) => [r.amount, r.effectiveTo])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    // 1000 until the sale, 800 during it, 1000 again until tomorrow, then 1200 open-ended.
    expect(windows).toEqual([
      ['1000', from],
      ['800', to],
      ['1000', tomorrow],
      ['1200', null],
    ]);

    const overlap = await putPrice('MUG-2', { amount: '900', currency: 'USD', effectiveFrom: from });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().code).toBe('price_window_overlap');
  });

  it('serializes concurrent changes of one price: one open row, no overlapping windows', async () => {
    const amounts = ['101', '102', '103', '104', '105', '106'];
    const responses = await Promise.all(
      amounts.map((amount) => putPrice('CON-1', { amount, currency: 'USD' })),
    );
    // Same-millisecond starts would overlap and are refused as 409; every other change applies.
    for (const res of responses) expect([200, 409]).toContain(res.statusCode);
    expect(responses.some((r) => r.statusCode === 200)).toBe(true);
    const rows = (await call('GET', '/admin/prices/CON-1/history?limit=100')).json().items as {
      effectiveFrom: string;
      effectiveTo: string | null;
    }[];
    expect(rows).toHaveLength(responses.filter((r) => r.statusCode === 200).length);
    expect(rows.filter((r) => r.effectiveTo === null)).toHaveLength(1);
    const ordered = [...rows].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    for (let i = 1; i < ordered.length; i++)
      expect(ordered[i - 1]!.effectiveTo).toBe(ordered[i]!.effectiveFrom);
  });

  it('refuses loose money input at the edge and stores nothing (G8)', async () => {
    for (const [body, field] of [
      [{ amount: ' 100', currency: 'USD' }, 'body.amount'],
      [{ amount: '100 ', currency: 'USD' }, 'body.amount'],
      [{ amount: '0100', currency: 'USD' }, 'body.amount'],
      [{ amount: '+100', currency: 'USD' }, 'body.amount'],
      [{ amount: '9223372036854775808', currency: 'USD' }, 'body.amount'],
      [{ amount: '100', currency: 'ZZZ' }, 'body.currency'],
      [{ amount: '100', currency: ' USD' }, 'body.currency'],
    ] as const) {
      const res = await putPrice('MUG-3', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: field }] });
    }
    const history = await call('GET', '/admin/prices/MUG-3/history');
    expect(history.statusCode).toBe(200);
    expect(history.json().items).toEqual([]);
    expect((await call('GET', '/admin/prices/MUG-3/history?currency=ZZZ')).statusCode).toBe(400);
    expect((await call('PUT', '/admin/exchange-rates/USD/ZZZ', { rate: '1.5' })).statusCode).toBe(400);
  });

  it('answers 404 for the price history of a sku the catalog does not know, like inventory', async () => {
    const res = await call('GET', '/admin/prices/NO-SUCH-SKU/history');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('not_found');
  });

  it('applies good bulk JSON rows and reports each bad one by row', async () => {
    const res = await call('POST', '/admin/prices/bulk', {
      items: [
        { sku: 'TEE-1', amount: '1500', currency: 'USD' },
        { sku: 'NOPE-1', amount: '1500', currency: 'USD' },
        { sku: 'TEE-2', amount: '12.50', currency: 'USD' },
        { sku: 'TEE-2', amount: '1250', currency: 'usd' },
        { sku: 'TEE-1', amount: '1300', currency: 'EUR' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ applied: 2, failed: 3 });
    expect(body.results.map((r: { row: number; status: string }) => [r.row, r.status])).toEqual([
      [1, 'ok'],
      [2, 'error'],
      [3, 'error'],
      [4, 'error'],
      [5, 'ok'],
    ]);
    expect(body.results[1].error).toMatch(/unknown sku NOPE-1/);
    expect(body.results[2].error).toMatch(/^amount must be integer minor units/);
    expect(body.results[3].error).toMatch(/^currency must be an ISO 4217 currency code/);
    const units = await pricing.unitPrices(['TEE-1', 'TEE-2'], 'USD');
    expect(units.get('TEE-1')?.amount).toBe(1500n);
    expect(units.has('TEE-2')).toBe(false);
  });

  it('accepts the same as CSV, with per-row results and only good rows stored', async () => {
    const csv = 'sku,amount,currency\nTEE-2,990,USD\n"MUG-3",abc,USD\nGHOST,100,USD\n\nMUG-3,700,USD\n';
    const res = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/admin/prices/bulk',
      headers: { ...bearer(token), 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      applied: 2,
      failed: 2,
      results: [
        { row: 1, sku: 'TEE-2', status: 'ok' },
        { row: 2, status: 'error', error: expect.stringMatching(/amount/) },
        { row: 3, sku: 'GHOST', status: 'error', error: expect.stringMatching(/unknown sku/) },
        { row: 4, sku: 'MUG-3', status: 'ok' },
      ],
    });
    const units = await pricing.unitPrices(['TEE-2', 'MUG-3', 'GHOST'], 'USD');
    expect([...units].map(([sku, m]) => [sku, m.amount])).toEqual([
      ['TEE-2', 990n],
      ['MUG-3', 700n],
    ]);

    const bad = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/admin/prices/bulk',
      headers: { ...bearer(token), 'content-type': 'text/csv' },
      payload: 'sku,price\nTEE-2,1\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('lets only pricing:override holders override, with a reason, and audits it', async () => {
    expect((await putPrice('OVR-1', { amount: '5000', currency: 'USD' })).statusCode).toBe(200);
    const past = new Date(Date.now() - HOUR).toISOString();

    const unflagged = await putPrice('OVR-1', { amount: '4000', currency: 'USD', effectiveFrom: past });
    expect(unflagged.statusCode).toBe(422);
    expect(unflagged.json().code).toBe('override_required');

    // A role with pricing:write but not pricing:override (roles live in the user schema; the
    // directory has no API to define roles yet, so the test adds one as an operator would).
    await db()
      .withSchema('user')
      .insertInto('roles')
      .values({ name: 'pricing_manager', description: 'Sets prices' })
      .execute();
    await db()
      .withSchema('user')
      .insertInto('role_permissions')
      .values({ role: 'pricing_manager', permission: 'pricing:write' })
      .execute();
    const manager = await staffToken(`pm-${kind}@test.orderline.local`, ['pricing_manager']);
    const support = await staffToken(`support-${kind}@test.orderline.local`, ['support']);

    expect((await putPrice('OVR-1', { amount: '4900', currency: 'USD' }, support)).statusCode).toBe(403);
    expect((await putPrice('OVR-1', { amount: '4900', currency: 'USD' }, manager)).statusCode).toBe(200);
    const denied = await putPrice(
      'OVR-1',
      { amount: '4000', currency: 'USD', effectiveFrom: past, override: true, reason: 'refund' },
      manager,
    );
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('forbidden');
    const free = await putPrice(
      'OVR-1',
      { amount: '0', currency: 'USD', override: true, reason: 'giveaway' },
      manager,
    );
    expect(free.statusCode).toBe(403);

    const noReason = await putPrice('OVR-1', { amount: '0', currency: 'USD', override: true });
    expect(noReason.statusCode).toBe(400);
    const ok = await putPrice('OVR-1', {
      amount: '0',
      currency: 'USD',
      override: true,
      reason: 'launch giveaway',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().source).toBe('override');

    const audit = await db()
      .withSchema('pricing')
      .selectFrom('price_overrides')
      .selectAll()
      .where('sku', '=', 'OVR-1')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      old_amount: 4900n,
      new_amount: 0n,
      reason: 'launch giveaway',
      conditions: ['free'],
    });
    const [latest] = (await call('GET', '/admin/prices/OVR-1/history?limit=1')).json().items;
    expect(latest.override).toMatchObject({ reason: 'launch giveaway', conditions: ['free'] });
  });

  it('refuses a stale exchange rate by name and converts exactly with a fresh one, both ways', async () => {
    expect((await putPrice('EU-1', { amount: '1000', currency: 'EUR' })).statusCode).toBe(200);
    // The refresh job stores the source's asOf: a source two hours old is stale at a 60 min max age.
    writeFileSync(
      ratesFile,
      JSON.stringify({
        base: 'USD',
        rates: { EUR: '0.8' },
        asOf: new Date(Date.now() - 2 * HOUR).toISOString(),
      }),
    );
    await platform.orderline.eventing.scheduler('pricing')!.runNow('exchange-rate-refresh');
    await expect(pricing.quote([{ sku: 'EU-1', quantity: 1 }], 'USD')).rejects.toMatchObject({
      code: 'exchange_rate_stale',
      message: expect.stringContaining('USD/EUR'),
    });
    await expect(pricing.convert({ amount: 100n, currency: 'USD' }, 'EUR')).rejects.toMatchObject({
      code: 'exchange_rate_stale',
    });
    expect((await pricing.unitPrices(['EU-1'], 'USD')).has('EU-1')).toBe(false);
    const listed = (await call('GET', '/admin/exchange-rates')).json().items;
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ base: 'USD', quote: 'EUR', rate: '0.8', stale: true, source: 'file' }),
      ]),
    );

    expect((await call('PUT', '/admin/exchange-rates/USD/EUR', { rate: '0.8' })).statusCode).toBe(200);
    // EUR → USD through the inverse of USD/EUR: 1000 / 0.8 = 1250 exactly, no float.
    const quote = await pricing.quote([{ sku: 'EU-1', quantity: 3 }], 'USD');
    expect(quote.lines[0]).toMatchObject({
      unitPrice: { amount: 1250n, currency: 'USD' },
      lineTotal: { amount: 3750n },
    });
    // USD → EUR directly: MUG-1 is 2300 USD → 1840 EUR.
    expect((await pricing.unitPrices(['MUG-1'], 'EUR')).get('MUG-1')).toEqual({
      amount: 1840n,
      currency: 'EUR',
    });
    expect(await pricing.convert({ amount: 333n, currency: 'EUR' }, 'USD')).toEqual({
      amount: 416n,
      currency: 'USD',
    });

    const bad = await call('PUT', '/admin/exchange-rates/USD/EUR', { rate: '-1' });
    expect(bad.statusCode).toBe(400);
  });

  it('computes tax from configured rates, 0 where none is set', async () => {
    expect((await call('PUT', '/admin/tax-rates/DE', { rateBps: 1900 })).statusCode).toBe(200);
    expect(await pricing.tax('DE', { amount: 10_050n, currency: 'EUR' })).toEqual({
      rateBps: 1900,
      amount: { amount: 1910n, currency: 'EUR' },
    });
    expect(await pricing.tax('FR', { amount: 10_000n, currency: 'EUR' })).toEqual({
      rateBps: 0,
      amount: { amount: 0n, currency: 'EUR' },
    });
    expect((await call('GET', '/admin/tax-rates')).json().items).toEqual([
      expect.objectContaining({ country: 'DE', rateBps: 1900 }),
    ]);
    expect((await call('PUT', '/admin/tax-rates/DE', { rateBps: 10_001 })).statusCode).toBe(400);
  });

  it('serves cached: true reads from the cache, forgets them when a price changes; the default reads the database', async () => {
    const cached = { cached: true };
    expect((await putPrice('CSH-1', { amount: '100', currency: 'USD' })).statusCode).toBe(200);
    expect((await pricing.unitPrices(['CSH-1'], 'USD', cached)).get('CSH-1')?.amount).toBe(100n);
    // Change the stored row behind the service's back: the cached answer is still served...
    await db()
      .withSchema('pricing')
      .updateTable('prices')
      .set({ amount: 999n })
      .where('sku', '=', 'CSH-1')
      .execute();
    expect((await pricing.unitPrices(['CSH-1'], 'USD', cached)).get('CSH-1')?.amount).toBe(100n);
    // ...but never to the default path (checkout's quote): it decides on the database.
    expect((await pricing.unitPrices(['CSH-1'], 'USD')).get('CSH-1')?.amount).toBe(999n);
    expect((await pricing.quote([{ sku: 'CSH-1', quantity: 2 }], 'USD')).subtotal.amount).toBe(1998n);
    // A price change through the service drops the entry at once.
    expect((await putPrice('CSH-1', { amount: '150', currency: 'USD' })).statusCode).toBe(200);
    expect((await pricing.unitPrices(['CSH-1'], 'USD', cached)).get('CSH-1')?.amount).toBe(150n);
    expect((await pricing.quote([{ sku: 'CSH-1', quantity: 1 }], 'USD', cached)).subtotal.amount).toBe(150n);
  });

  it('serves cached: true tax from the cache, forgets it when the rate is set; the default reads the database', async () => {
    const cached = { cached: true };
    const taxable = { amount: 10_000n, currency: 'EUR' };
    expect((await call('PUT', '/admin/tax-rates/AT', { rateBps: 2000 })).statusCode).toBe(200);
    expect((await pricing.tax('AT', taxable, cached)).rateBps).toBe(2000);
    await db()
      .withSchema('pricing')
      .updateTable('tax_rates')
      .set({ rate_bps: 1 })
      .where('country', '=', 'AT')
      .execute();
    expect((await pricing.tax('AT', taxable, cached)).rateBps).toBe(2000);
    expect(await pricing.tax('AT', taxable)).toEqual({ rateBps: 1, amount: { amount: 1n, currency: 'EUR' } });
    expect((await call('PUT', '/admin/tax-rates/AT', { rateBps: 1000 })).statusCode).toBe(200);
    expect(await pricing.tax('AT', taxable, cached)).toEqual({
      rateBps: 1000,
      amount: { amount: 1000n, currency: 'EUR' },
    });
  });

  it('multiplies large quantities exactly and refuses a total beyond the stored range', async () => {
    expect((await putPrice('BIG-1', { amount: '9000000000000', currency: 'USD' })).statusCode).toBe(200);
    const quote = await pricing.quote(
      [
        { sku: 'BIG-1', quantity: 1_000_000 },
        { sku: 'MUG-1', quantity: 1 },
        { sku: 'NOT-PRICED', quantity: 2 },
      ],
      'USD',
    );
    expect(quote.subtotal.amount).toBe(9_000_000_000_000_002_300n);
    expect(quote.missing).toEqual(['NOT-PRICED']);
    await expect(pricing.quote([{ sku: 'BIG-1', quantity: 2_000_000 }], 'USD')).rejects.toMatchObject({
      code: 'money_out_of_range',
    });
    await expect(
      pricing.quote(
        [
          { sku: 'BIG-1', quantity: 1_000_000 },
          { sku: 'BIG-1', quantity: 30_000 },
        ],
        'USD',
      ),
    ).rejects.toMatchObject({ code: 'money_out_of_range' });
  });
});
