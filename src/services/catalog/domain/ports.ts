/**
 * What the catalog needs from other services, stated here so the domain does not depend on them.
 * Both are optional: until pricing and warehouse exist (or when they are not mounted in this
 * process), product listings carry `price: null` and `available: null`.
 * Each is called once per page with every sku on it — never once per product (OR-P1-06).
 */

import type { Money } from '../../../platform/money.js';

export interface PriceLookup {
  /** Current prices of `skus` in `currency`; skus without a price are absent from the map. */
  quote(skus: readonly string[], currency: string): Promise<Map<string, Money>>;
}

export interface AvailabilityLookup {
  /** Units available to sell per sku over all warehouses; unknown skus are absent from the map. */
  available(skus: readonly string[]): Promise<Map<string, number>>;
}
