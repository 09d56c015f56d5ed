import type { Kysely } from 'kysely';
import { cacheKey, type ReadCache, readThrough } from '../../../platform/cache/read-cache.js';
import { AppError, validationFailed } from '../../../platform/errors/app-error.js';
import type { Logger } from '../../../platform/logging/logger.js';
import { isCurrency, type Money, money } from '../../../platform/money.js';
import { allowsCache, type ReadOptions } from '../../../platform/read-options.js';
import type { RateRequest, ShippingOption } from '../contract/client.js';
import {
  shippingOptionRepository as repo,
  type ShippingOptionRow,
} from '../data/shipping-option.repository.js';
import type { ShippingDB } from '../data/tables.js';
import type { Carrier, CurrencyConverter } from '../domain/ports.js';
import { isFree, type RateTable } from '../domain/rate.js';

export interface RatesDeps {
  db: Kysely<ShippingDB>;
  carriers: ReadonlyMap<string, Carrier>;
  pricing: CurrencyConverter;
  logger: Logger;
  /**
   * The option table's answers (per destination country, per option id) for `cached: true`
   * reads; cleared when an operator changes an option (shipping-options.ts).
   */
  optionCache: ReadCache<{ rows: ShippingOptionRow[] }>;
}

/** Pricing's answers when a rate to convert an option's price is missing or too old (PR-P0-02). */
const UNCONVERTIBLE = new Set(['exchange_rate_missing', 'exchange_rate_stale']);

/** Heavier parcels are split into several shipments by fulfillment; a cart quote stops here. */
const MAX_WEIGHT_GRAMS = 1_000_000;

function validate(request: RateRequest): void {
  const fields = [];
  if (!/^[A-Z]{2}$/.test(request.destination.country))
    fields.push({ path: 'destination.country', message: 'ISO 3166-1 alpha-2 code' });
  if (
    !Number.isInteger(request.weightGrams) ||
    request.weightGrams < 0 ||
    request.weightGrams > MAX_WEIGHT_GRAMS
  )
    fields.push({ path: 'weightGrams', message: `an integer from 0 to ${MAX_WEIGHT_GRAMS}` });
  if (!isCurrency(request.currency)) fields.push({ path: 'currency', message: 'ISO 4217 code' });
  if (request.subtotal.amount < 0n) fields.push({ path: 'subtotal', message: 'not negative' });
  if (fields.length > 0) throw validationFailed('The rate request is not valid', fields);
}

const toTable = (row: ShippingOptionRow): RateTable => ({
  kind: row.kind,
  baseAmount: row.base_amount,
  perKgAmount: row.per_kg_amount,
  currency: row.currency,
  freeOverAmount: row.free_over_amount,
  countries: row.countries,
  maxWeightGrams: row.max_weight_grams,
});

/** Converts through pricing only when the currencies differ (a stale rate throws there: PR-P0-02). */
const inCurrency = (pricing: CurrencyConverter, amount: Money, currency: string): Promise<Money> =>
  amount.currency === currency ? Promise.resolve(amount) : pricing.convert(amount, currency);

/** Prices one option for the request in the requested currency; undefined when it cannot carry the parcel. */
async function price(
  deps: RatesDeps,
  row: ShippingOptionRow,
  request: RateRequest,
): Promise<ShippingOption | undefined> {
  const carrier = deps.carriers.get(row.carrier);
  if (!carrier) return undefined;
  const table = toTable(row);
  const rate = await carrier.rate(table, {
    destination: request.destination,
    weightGrams: request.weightGrams,
  });
  if (!rate) return undefined;
  let charged = rate;
  if (table.freeOverAmount !== null && rate.amount > 0n) {
    const subtotal = await inCurrency(deps.pricing, request.subtotal, table.currency);
    if (isFree(table, subtotal)) charged = money(0n, table.currency);
  }
  return {
    id: row.id,
    name: row.name,
    carrier: row.carrier,
    price: await inCurrency(deps.pricing, charged, request.currency),
    estimatedDays: { min: row.min_days, max: row.max_days },
  };
}

/** Every active option that ships the parcel to the destination, cheapest first. */
export async function shippingOptions(
  deps: RatesDeps,
  request: RateRequest,
  opts?: ReadOptions,
): Promise<ShippingOption[]> {
  validate(request);
  const country = request.destination.country;
  const { rows } = await readThrough(
    deps.optionCache,
    cacheKey('country', country),
    allowsCache(opts),
    async () => ({
      rows: await repo.forCountry(deps.db, country),
    }),
  );
  // An option priced in another currency that cannot be converted right now is not offered (a
  // store with options in the cart's own currency keeps selling); only when nothing can be
  // offered does the caller get pricing's reason.
  const refused: AppError[] = [];
  const priced = await Promise.all(
    rows.map(async (row) => {
      try {
        return await price(deps, row, request);
      } catch (err) {
        if (!(err instanceof AppError) || !UNCONVERTIBLE.has(err.code)) throw err;
        deps.logger.warn(
          { option: row.id, currency: request.currency, code: err.code },
          'shipping option not offered: its price cannot be converted',
        );
        refused.push(err);
        return undefined;
      }
    }),
  );
  const offered = priced.filter((o): o is ShippingOption => o !== undefined);
  if (offered.length === 0 && refused[0]) throw refused[0];
  return offered.sort((a, b) =>
    a.price.amount === b.price.amount ? a.id.localeCompare(b.id) : a.price.amount < b.price.amount ? -1 : 1,
  );
}

/** Re-prices one option (checkout re-quotes the chosen method); undefined when no longer offered. */
export async function quoteOption(
  deps: RatesDeps,
  optionId: string,
  request: RateRequest,
  opts?: ReadOptions,
): Promise<ShippingOption | undefined> {
  validate(request);
  if (optionId.length === 0 || optionId.length > 64) return undefined;
  const {
    rows: [row],
  } = await readThrough(deps.optionCache, cacheKey('id', optionId), allowsCache(opts), async () => {
    const found = await repo.findActive(deps.db, optionId);
    return { rows: found ? [found] : [] };
  });
  return row ? price(deps, row, request) : undefined;
}
