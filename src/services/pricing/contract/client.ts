import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';
import type { Money } from '../../../platform/money.js';
import type { ReadOptions } from '../../../platform/read-options.js';

export interface QuoteItem {
  sku: string;
  quantity: number;
}

export interface QuoteLine {
  sku: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface PriceQuote {
  currency: string;
  lines: QuoteLine[];
  subtotal: Money;
  /** Skus without a price effective now (in the currency, or convertible into it). */
  missing: string[];
}

/**
 * The pricing service as other services see it. Every call is batched: one call per cart or page.
 * Reads take `ReadOptions`: by default they are decided on pricing's database (checkout);
 * `{ cached: true }` may be answered from pricing's in-process cache (views).
 */
export interface PricingClient extends EventHistory {
  /**
   * Prices many items at once with exact integer arithmetic. A price in the requested currency
   * wins; otherwise the base price is converted with a fresh exchange rate. A stale rate throws
   * AppError('unprocessable', 'exchange_rate_stale') rather than quote with an old one (PR-P0-02).
   */
  quote(items: readonly QuoteItem[], currency: string, opts?: ReadOptions): Promise<PriceQuote>;
  /** Current unit prices for a page of skus (catalog listing); skus without a price are absent. */
  unitPrices(skus: readonly string[], currency: string, opts?: ReadOptions): Promise<Map<string, Money>>;
  /** Converts with the current exchange rate; a stale rate throws AppError('unprocessable', 'exchange_rate_stale'). */
  convert(amount: Money, to: string): Promise<Money>;
  /** Sets the current price of a sku in one currency (as `PUT /admin/prices/{sku}`; history kept). */
  setPrice(ctx: Ctx, sku: string, price: Money): Promise<void>;
  /** Sets the tax rate for deliveries to `country` in basis points (825 = 8.25 %). */
  setTaxRate(ctx: Ctx, country: string, rateBps: number): Promise<void>;
  /** Tax owed on `taxable` for deliveries to `country` (ISO 3166-1 alpha-2); 0 where none is configured. */
  tax(country: string, taxable: Money, opts?: ReadOptions): Promise<{ rateBps: number; amount: Money }>;
}
