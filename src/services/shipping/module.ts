import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import type { PricingClient } from '../pricing/contract/client.js';
import { quoteOption, type RatesDeps, shippingOptions } from './app/shipping-rates.js';
import { createManualCarrier, createSimcarrier } from './carriers/table-rate.carriers.js';
import type { ShippingClient } from './contract/client.js';
import type { ShippingDB } from './data/tables.js';

export type ShippingModuleDeps = PlatformDeps<ShippingDB> & {
  /** Currency conversion for options priced in another currency than the cart's. */
  pricing: Pick<PricingClient, 'convert'>;
};

/** Shipping's composition root (rate part): options and quotes for carts and checkout. */
export function createShippingModule(deps: ShippingModuleDeps): ServiceModule<ShippingClient> {
  const carriers = [createSimcarrier(), createManualCarrier()];
  const rates: RatesDeps = {
    db: deps.db,
    carriers: new Map(carriers.map((c) => [c.name, c])),
    pricing: deps.pricing,
    logger: deps.logger,
  };
  const client: ShippingClient = {
    options: (request) => shippingOptions(rates, request),
    quote: (optionId, request) => quoteOption(rates, optionId, request),
  };
  return {
    name: 'shipping',
    migrations: new URL('./data/migrations/', import.meta.url),
    client,
  };
}
