import type { EventHistory } from '../../../contracts/index.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { isCurrency, type Money, money, percentageBps } from '../../../platform/money.js';
import type { PricingClient } from '../contract/client.js';
import { rateRepository } from '../data/rate.repository.js';
import { convertExact, isStale, missingRate, pairRate, pairsFor, staleRate } from '../domain/exchange.js';
import { normalizeSku } from '../domain/price-change.js';
import { buildQuote, validQuantity } from '../domain/quote.js';
import type { PricingDeps } from './deps.js';
import { resolveUnitPrices } from './price.reader.js';
import { COUNTRY_RE, setTaxRate, taxRateBps } from './rates.js';
import { setPrice } from './set-prices.js';

function validCurrency(currency: string): void {
  if (!isCurrency(currency))
    throw new AppError(
      'validation',
      'validation_failed',
      `Currency ${JSON.stringify(currency)} is not an ISO 4217 code`,
      {
        fields: [{ path: 'currency', message: 'must be an ISO 4217 currency code such as USD' }],
      },
    );
}

/** A sku that cannot exist stays as given, so callers recognise it in `missing`. */
const canonical = (sku: string): string => normalizeSku(sku) ?? sku;

/** The pricing client other services call in-process (contract/client.ts). */
export function createPricingClient(deps: PricingDeps): Omit<PricingClient, keyof EventHistory> {
  return {
    async setPrice(ctx, sku, price) {
      await setPrice(ctx, deps, sku, { amount: price.amount.toString(), currency: price.currency });
    },

    async setTaxRate(ctx, country, rateBps) {
      await setTaxRate(ctx, deps, country, rateBps);
    },

    async quote(items, currency, opts) {
      validCurrency(currency);
      for (const item of items) validQuantity(item.quantity);
      const resolved = await resolveUnitPrices(
        deps,
        [...new Set(items.map((i) => canonical(i.sku)))],
        currency,
        opts,
      );
      const units = new Map<string, Money>();
      for (const [sku, r] of resolved) {
        // PR-P0-02: a quote never uses a stale rate; the caller sees which pair to refresh.
        if (r.kind === 'stale') throw staleRate(r.rate, deps.clock.now(), deps.maxRateAgeMs);
        if (r.kind === 'priced') units.set(sku, r.unit);
      }
      return buildQuote(items, currency, units, (item) => canonical(item.sku));
    },

    async unitPrices(skus, currency, opts) {
      validCurrency(currency);
      const resolved = await resolveUnitPrices(deps, [...new Set(skus.map(canonical))], currency, opts);
      const out = new Map<string, Money>();
      for (const [sku, r] of resolved) {
        if (r.kind === 'priced') out.set(sku, r.unit);
        // A listing shows "no price" rather than failing the page; the quote at checkout refuses.
        else if (r.kind === 'stale')
          deps.logger.warn({ sku, currency, pair: r.rate.pair }, 'price not shown: exchange rate is stale');
      }
      return out;
    },

    async convert(amount, to) {
      validCurrency(to);
      if (amount.currency === to) return amount;
      const rates = await rateRepository.latestRates(deps.db, pairsFor(amount.currency, to));
      const rate = pairRate(rates, amount.currency, to);
      if (!rate) throw missingRate(amount.currency, to);
      const now = deps.clock.now();
      if (isStale(rate.fetchedAt, now, deps.maxRateAgeMs)) throw staleRate(rate, now, deps.maxRateAgeMs);
      return convertExact(amount, to, rate.fraction);
    },

    async tax(country, taxable, opts) {
      const code = country.trim().toUpperCase();
      if (!COUNTRY_RE.test(code))
        throw new AppError(
          'validation',
          'validation_failed',
          `Country ${JSON.stringify(country)} is not an ISO 3166-1 alpha-2 code`,
          {
            fields: [{ path: 'country', message: 'must be an ISO 3166-1 alpha-2 code such as DE' }],
          },
        );
      const rateBps = await taxRateBps(deps, code, opts);
      return {
        rateBps: rateBps ?? 0,
        amount: rateBps !== null ? percentageBps(taxable, rateBps) : money(0n, taxable.currency),
      };
    },
  };
}
