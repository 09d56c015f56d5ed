import { requestCtx } from '../../../platform/context.js';
import { notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { PricingDeps } from '../app/deps.js';
import { setExchangeRate, setTaxRate } from '../app/rates.js';
import { bulkSetPrices, MAX_BULK_ROWS, setPrice } from '../app/set-prices.js';
import { priceRepository } from '../data/price.repository.js';
import { rateRepository, type StoredRate, type TaxRate } from '../data/rate.repository.js';
import { parsePriceCsv } from '../domain/csv.js';
import { isStale } from '../domain/exchange.js';
import { normalizeSku, type StoredPrice } from '../domain/price-change.js';
import {
  bulkBody,
  bulkResultSchema,
  countryParams,
  historyPageSchema,
  historyQuery,
  pairParams,
  priceSchema,
  rateBody,
  rateSchema,
  ratesPageSchema,
  ratesQuery,
  setPriceBody,
  skuParams,
  taxBody,
  taxPageSchema,
  taxQuery,
  taxSchema,
} from './pricing.schemas.js';

const tags = ['pricing'];
const WRITE = 'pricing:write';
const READ = 'pricing:read';
const security = [{ bearer: [] }];

const priceView = (p: StoredPrice) => ({
  id: p.id,
  sku: p.sku,
  amount: p.amount.toString(),
  currency: p.currency,
  effectiveFrom: p.effectiveFrom.toISOString(),
  effectiveTo: p.effectiveTo?.toISOString() ?? null,
  source: p.source,
  createdBy: p.createdBy,
  createdAt: p.createdAt.toISOString(),
});

const taxView = (t: TaxRate) => ({
  country: t.country,
  rateBps: t.rateBps,
  updatedAt: t.updatedAt.toISOString(),
});

/** `limit + 1` rows were asked for: the extra one only tells whether another page follows. */
function page<T, V>(rows: T[], limit: number, view: (row: T) => V, key: (row: T) => string) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

export async function registerPricingRoutes(app: HttpApp, deps: PricingDeps): Promise<void> {
  const rateView = (r: StoredRate) => ({
    base: r.base,
    quote: r.quote,
    rate: r.rate,
    fetchedAt: r.fetchedAt.toISOString(),
    source: r.source,
    stale: isStale(r.fetchedAt, deps.clock.now(), deps.maxRateAgeMs),
  });

  // An encapsulated scope: the CSV parser below applies to pricing's routes only.
  await app.register(async (scope) => {
    const api = scope as HttpApp;
    // PR-P1-02: bulk prices as CSV. Read as text within the app's body limit, then turned into the
    // same {items} the JSON form sends, so both go through one validation and one code path.
    api.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => {
      let parsed: { items: ReturnType<typeof parsePriceCsv> };
      try {
        parsed = { items: parsePriceCsv(body as string, MAX_BULK_ROWS) };
      } catch (err) {
        done(err as Error, undefined);
        return;
      }
      done(null, parsed);
    });

    api.put(
      '/admin/prices/:sku',
      {
        config: { access: access.admin(WRITE) },
        schema: {
          tags,
          summary: 'Set the price of a sku in a currency',
          description:
            'Adds a price row and closes the one it replaces (history is kept). A backdated or zero price ' +
            'is an override: override: true with a reason, and the permission pricing:override (else 403); ' +
            'without override: true it is 422 override_required. A window overlapping a scheduled price is ' +
            '409 price_window_overlap. Unknown sku: 404. Publishes pricing.price.changed.',
          security,
          params: skuParams,
          body: setPriceBody,
          response: { 200: priceSchema },
        },
      },
      async (request) =>
        priceView(await setPrice(requestCtx(request), deps, request.params.sku, request.body)),
    );

    api.get(
      '/admin/prices/:sku/history',
      {
        config: { access: access.admin(READ) },
        schema: {
          tags,
          summary: 'Every price a sku has had, newest first',
          description:
            'A sku the catalog does not know is 404, like its inventory; a known one never priced has an empty list.',
          security,
          params: skuParams,
          querystring: historyQuery,
          response: { 200: historyPageSchema },
        },
      },
      async (request) => {
        const sku = normalizeSku(request.params.sku);
        if (!sku)
          throw validationFailed('Not a sku.', [{ path: 'params.sku', message: 'is not a valid sku' }]);
        const [product] = await deps.catalog.getProductsBySku([sku]);
        if (!product) throw notFound('Product with sku', sku);
        const { currency, cursor, limit } = request.query;
        const rows = await priceRepository.history(deps.db, sku, {
          currency,
          beforeId: cursor,
          limit: limit + 1,
        });
        return page(
          rows,
          limit,
          (r) => ({ ...priceView(r), override: r.override }),
          (r) => r.id,
        );
      },
    );

    api.post(
      '/admin/prices/bulk',
      {
        config: { access: access.admin(WRITE) },
        schema: {
          tags,
          summary: 'Set many prices from JSON or CSV',
          description:
            'Good rows are applied, bad rows reported with their 1-based row number (unknown sku, bad amount, ' +
            'bad currency, overlapping window, duplicate in the request). Overrides are not accepted in bulk.',
          security,
          consumes: ['application/json', 'text/csv'],
          body: bulkBody,
          response: { 200: bulkResultSchema },
        },
      },
      async (request) => bulkSetPrices(requestCtx(request), deps, request.body.items),
    );

    api.put(
      '/admin/exchange-rates/:base/:quote',
      {
        config: { access: access.admin(WRITE) },
        schema: {
          tags,
          summary: 'Set an exchange rate (units of quote per one base)',
          description: 'Kept as history; conversion uses the freshest rate of the pair or its inverse.',
          security,
          params: pairParams,
          body: rateBody,
          response: { 200: rateSchema },
        },
      },
      async (request) =>
        rateView(
          await setExchangeRate(
            requestCtx(request),
            deps,
            request.params.base,
            request.params.quote,
            request.body.rate,
          ),
        ),
    );

    api.get(
      '/admin/exchange-rates',
      {
        config: { access: access.admin(READ) },
        schema: {
          tags,
          summary: 'The latest rate of every pair',
          security,
          querystring: ratesQuery,
          response: { 200: ratesPageSchema },
        },
      },
      async (request) => {
        const { cursor, limit } = request.query;
        const after = cursor ? (cursor.split('/') as [string, string]) : undefined;
        const rows = await rateRepository.listLatest(deps.db, after, limit + 1);
        return page(rows, limit, rateView, (r) => `${r.base}/${r.quote}`);
      },
    );

    api.put(
      '/admin/tax-rates/:country',
      {
        config: { access: access.admin(WRITE) },
        schema: {
          tags,
          summary: 'Set the tax rate for deliveries to a country',
          security,
          params: countryParams,
          body: taxBody,
          response: { 200: taxSchema },
        },
      },
      async (request) =>
        taxView(await setTaxRate(requestCtx(request), deps, request.params.country, request.body.rateBps)),
    );

    api.get(
      '/admin/tax-rates',
      {
        config: { access: access.admin(READ) },
        schema: {
          tags,
          summary: 'Tax rates by country',
          security,
          querystring: taxQuery,
          response: { 200: taxPageSchema },
        },
      },
      async (request) => {
        const { cursor, limit } = request.query;
        const rows = await rateRepository.listTaxRates(deps.db, cursor, limit + 1);
        return page(rows, limit, taxView, (r) => r.country);
      },
    );
  });
}
