import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/platform/clock.js';
import { migrateSchema, readMigrations } from '../src/platform/db/migrations.js';
import { AppError } from '../src/platform/errors/app-error.js';
import {
  createTestDatabase,
  databaseKinds,
  type TestDatabase,
  testConfig,
  testLogger,
} from '../src/platform/eventing/eventing.fixtures.js';
import { convert, type Money } from '../src/platform/money.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import type { RateRequest, ShippingClient } from '../src/services/shipping/contract/client.js';
import type { ShippingDB } from '../src/services/shipping/data/tables.js';
import { createShippingModule } from '../src/services/shipping/module.js';

/**
 * Pricing is substituted at its port: a converter with fixed decimal rates, so the conversion path
 * is exact and observable (each call is recorded). Everything else is the real module on the
 * real migrations.
 */
const RATES: Record<string, string> = { 'USD>EUR': '0.9200', 'EUR>USD': '1.0870' };

describe.each(databaseKinds())('shipping options and rates (%s)', (kind) => {
  let db: TestDatabase;
  let shipping: ShippingClient;
  const conversions: string[] = [];
  let stale = false;

  beforeAll(async () => {
    db = await createTestDatabase(kind, []);
    const module = createShippingModule({
      config: testConfig(),
      logger: testLogger(),
      db: db.database.forSchema<ShippingDB>('shipping'),
      database: db.database,
      clock: systemClock,
      metrics: createMetrics(),
      // Rates never book a parcel: the order port is not reached by these tests.
      orders: { getOrder: async () => undefined },
      pricing: {
        async convert(amount: Money, to: string) {
          conversions.push(`${amount.currency}>${to}`);
          if (stale) throw new AppError('unprocessable', 'exchange_rate_stale', 'stale');
          const rate = RATES[`${amount.currency}>${to}`];
          if (!rate) throw new AppError('unprocessable', 'exchange_rate_missing', `${amount.currency}>${to}`);
          return convert(amount, to, rate);
        },
      },
    });
    await migrateSchema(db.database, 'shipping', readMigrations(module.migrations!));
    shipping = module.client;
  });
  afterAll(() => db.cleanup());

  const request = (overrides: Partial<RateRequest> = {}): RateRequest => ({
    destination: { country: 'US', postalCode: '94107' },
    weightGrams: 2500,
    subtotal: { amount: 2000n, currency: 'USD' },
    currency: 'USD',
    ...overrides,
  });

  it('offers the options that ship to the destination, cheapest first', async () => {
    const us = await shipping.options(request());
    expect(us.map((o) => o.id)).toEqual(['manual-pickup', 'simcarrier-standard', 'simcarrier-express']);
    const de = await shipping.options(request({ destination: { country: 'DE', postalCode: '10115' } }));
    // EU options are priced in EUR and converted for this USD request: 495 EUR → 538 USD cents.
    expect(de.map((o) => o.id)).toEqual([
      'simcarrier-standard',
      'simcarrier-eu-standard',
      'simcarrier-eu-express',
      'simcarrier-international',
    ]);
    expect(de[1]?.price).toEqual({ amount: 538n, currency: 'USD' });
    const br = await shipping.options(request({ destination: { country: 'BR', postalCode: '01000' } }));
    expect(br.map((o) => o.id)).toEqual(['simcarrier-standard']);
  });

  it('prices weight-based options exactly (base + per started kg)', async () => {
    const express = await shipping.quote('simcarrier-express', request({ weightGrams: 2500 }));
    expect(express).toMatchObject({
      carrier: 'simcarrier',
      price: { amount: 999n + 3n * 200n, currency: 'USD' },
    });
    expect(express?.estimatedDays).toEqual({ min: 1, max: 2 });
    const intl = await shipping.quote(
      'simcarrier-international',
      request({ destination: { country: 'GB', postalCode: 'SW1A 1AA' }, weightGrams: 1000 }),
    );
    expect(intl?.price).toEqual({ amount: 1999n + 500n, currency: 'USD' });
  });

  it('drops options whose weight limit the parcel exceeds', async () => {
    const heavy = await shipping.options(request({ weightGrams: 30_001 }));
    expect(heavy.map((o) => o.id)).toEqual(['manual-pickup']);
  });

  it('makes standard free from the threshold on', async () => {
    const below = await shipping.quote(
      'simcarrier-standard',
      request({ subtotal: { amount: 4999n, currency: 'USD' } }),
    );
    expect(below?.price).toEqual({ amount: 499n, currency: 'USD' });
    const at = await shipping.quote(
      'simcarrier-standard',
      request({ subtotal: { amount: 5000n, currency: 'USD' } }),
    );
    expect(at?.price).toEqual({ amount: 0n, currency: 'USD' });
  });

  it('converts prices and the free-over threshold through pricing for another currency', async () => {
    conversions.length = 0;
    const eur = await shipping.quote(
      'simcarrier-express',
      request({ currency: 'EUR', subtotal: { amount: 2000n, currency: 'EUR' } }),
    );
    // 999 + 3 × 200 = 1599 USD cents × 0.92 = 1471.08 → 1471 EUR cents (half-up rounding).
    expect(eur?.price).toEqual({ amount: 1471n, currency: 'EUR' });
    expect(conversions).toEqual(['USD>EUR']);

    conversions.length = 0;
    // 4700 EUR cents × 1.087 = 5108.9 → 5109 USD cents ≥ the 5000 threshold: free.
    const free = await shipping.quote(
      'simcarrier-standard',
      request({ currency: 'EUR', subtotal: { amount: 4700n, currency: 'EUR' } }),
    );
    expect(free?.price).toEqual({ amount: 0n, currency: 'EUR' });
    expect(conversions).toEqual(['EUR>USD', 'USD>EUR']);
    // 4500 EUR cents → 4891.5 → 4892 USD cents: below, so 499 USD cents → 459.08 → 459 EUR cents.
    const paid = await shipping.quote(
      'simcarrier-standard',
      request({ currency: 'EUR', subtotal: { amount: 4500n, currency: 'EUR' } }),
    );
    expect(paid?.price).toEqual({ amount: 459n, currency: 'EUR' });
  });

  it('refuses to quote with a stale exchange rate rather than guess', async () => {
    stale = true;
    try {
      await expect(
        shipping.quote(
          'simcarrier-standard',
          request({ currency: 'EUR', subtotal: { amount: 1n, currency: 'EUR' } }),
        ),
      ).rejects.toMatchObject({ code: 'exchange_rate_stale' });
    } finally {
      stale = false;
    }
  });

  it('keeps offering options in the cart currency when others cannot be converted', async () => {
    stale = true;
    try {
      const options = await shipping.options(
        request({
          destination: { country: 'DE', postalCode: '10115' },
          currency: 'EUR',
          subtotal: { amount: 2000n, currency: 'EUR' },
        }),
      );
      expect(options.map((o) => o.id)).toEqual(['simcarrier-eu-standard', 'simcarrier-eu-express']);
      expect(options[0]?.price).toEqual({ amount: 495n, currency: 'EUR' });
      // 995 + 150 per started kg × 3 kg
      expect(options[1]?.price).toEqual({ amount: 1445n, currency: 'EUR' });
    } finally {
      stale = false;
    }
  });

  it('reports the exchange-rate problem when no option can be priced in the cart currency', async () => {
    stale = true;
    try {
      await expect(
        shipping.options(request({ currency: 'EUR', subtotal: { amount: 2000n, currency: 'EUR' } })),
      ).rejects.toMatchObject({ code: 'exchange_rate_stale' });
    } finally {
      stale = false;
    }
  });

  it('answers undefined for an unknown or inactive option, or one not offered there', async () => {
    expect(await shipping.quote('no-such-option', request())).toBeUndefined();
    expect(
      await shipping.quote('manual-pickup', request({ destination: { country: 'FR', postalCode: '75001' } })),
    ).toBeUndefined();
    await db.database
      .forSchema<ShippingDB>('shipping')
      .updateTable('shipping_options')
      .set({ active: false })
      .where('id', '=', 'manual-pickup')
      .execute();
    expect(await shipping.quote('manual-pickup', request())).toBeUndefined();
    expect((await shipping.options(request())).map((o) => o.id)).not.toContain('manual-pickup');
  });

  it('refuses an invalid request with validation_failed', async () => {
    await expect(
      shipping.options(request({ destination: { country: 'usa', postalCode: '1' } })),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(shipping.options(request({ weightGrams: -1 }))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
