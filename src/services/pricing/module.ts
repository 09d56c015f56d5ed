import { createReadCache } from '../../platform/cache/read-cache.js';
import { systemCtx } from '../../platform/context.js';
import type { JobDeclaration } from '../../platform/eventing/index.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { CatalogClient } from '../catalog/contract/client.js';
import { fileRateProvider } from './adapters/file-rate.provider.js';
import type { PricingDeps } from './app/deps.js';
import { createPriceCache } from './app/price.cache.js';
import { createPricingClient } from './app/pricing.client.js';
import { refreshExchangeRates } from './app/rates.js';
import type { PricingClient } from './contract/client.js';
import type { PricingDB } from './data/tables.js';
import type { ExchangeRateProvider } from './domain/ports.js';
import { registerPricingRoutes } from './http/pricing.routes.js';

export type PricingModuleDeps = PlatformDeps<PricingDB> & {
  /** Skus are checked against the catalog before a price is stored. */
  catalog: Pick<CatalogClient, 'getProductsBySku'>;
  /** Overrides the provider chosen from configuration (tests, other sources). */
  rateProvider?: ExchangeRateProvider;
};

/**
 * Pricing's composition root: prices with history, overrides, bulk import, exchange and tax
 * rates, the batch quote client and its cache, and — only when a rate source is configured —
 * the exchange-rate refresh job.
 */
export function createPricingModule(deps: PricingModuleDeps): ServiceModule<PricingClient> {
  const { config } = deps;
  const app: PricingDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    catalog: deps.catalog,
    cache: createPriceCache({
      ttlSeconds: config.PRICING_CACHE_TTL_SECONDS,
      maxEntries: config.PRICING_CACHE_MAX_ENTRIES,
    }),
    // One entry per country: bounded by the ~250 ISO codes.
    taxCache: createReadCache({ ttlSeconds: config.PRICING_TAX_CACHE_TTL_SECONDS, maxEntries: 1000 }),
    maxRateAgeMs: config.PRICING_EXCHANGE_RATE_MAX_AGE_MINUTES * 60_000,
  };

  const provider =
    deps.rateProvider ??
    (config.PRICING_EXCHANGE_RATES_FILE ? fileRateProvider(config.PRICING_EXCHANGE_RATES_FILE) : undefined);
  // No source configured → no job: rates then come only from operators (PUT /admin/exchange-rates).
  const jobs: JobDeclaration[] = provider
    ? [
        {
          name: 'exchange-rate-refresh',
          cron: config.PRICING_EXCHANGE_RATE_REFRESH_CRON,
          handler: async ({ logger, signal }) => ({
            items: await refreshExchangeRates(
              systemCtx(logger, 'pricing.exchange-rate-refresh'),
              app,
              provider,
              signal,
            ),
          }),
        },
      ]
    : [];

  return {
    name: 'pricing',
    migrations: new URL('./data/migrations/', import.meta.url),
    publishes: ['pricing.price.changed'],
    routes: (http) => registerPricingRoutes(http, app),
    jobs,
    client: { ...createPricingClient(app), ...createEventHistory(deps.db) },
  };
}
