import { systemCtx } from '../../../platform/context.js';
import { type Money, toJson, zero } from '../../../platform/money.js';
import type { ReadOptions } from '../../../platform/read-options.js';
import type { ShippingAddress } from '../../../platform/validation/address.js';
import type { Product } from '../../catalog/contract/client.js';
import type { QuoteLine } from '../../pricing/contract/client.js';
import type { PromotionQuote } from '../../promotion/contract/client.js';
import type { RateRequest, ShippingOption } from '../../shipping/contract/client.js';
import type { CartItemRow, CartRow } from '../data/cart.repository.js';
import { orderRepository } from '../data/order.repository.js';
import { computeTotals, parcelWeightGrams, type Totals, taxableAmount } from '../domain/cart-totals.js';
import type { OrderDeps } from './deps.js';

export interface PricedCart {
  currency: string;
  lines: { item: CartItemRow; product: Product | undefined; quote: QuoteLine | undefined }[];
  /** Skus without a price now (in the cart's currency or convertible into it). */
  missing: string[];
  subtotal: Money;
  weightGrams: number;
  /** The chosen shipping method re-priced now; null without address or method, or when no longer offered. */
  shipping: ShippingOption | null;
  /** True when a method is chosen but the carrier no longer offers it for this cart. */
  shippingUnavailable: boolean;
  taxRateBps: number;
  /** The promotions evaluation (null: no promotion service in this process, or nothing to evaluate). */
  promotions: PromotionQuote | null;
  totals: Totals;
}

/**
 * Prices a cart with one batched catalog read, ONE pricing quote, at most one shipping quote and
 * one tax call, whatever the number of items (OR-P1-06: no per-item calls; OR-P1-05: the cart's
 * currency and the pricing service's prices, never catalog figures). A cart VIEW passes
 * `{ cached: true }`; checkout passes nothing and so decides on the owners' databases.
 */
export async function priceCart(
  deps: OrderDeps,
  cart: CartRow,
  items: CartItemRow[],
  opts?: ReadOptions,
): Promise<PricedCart> {
  const currency = cart.currency;
  const { lines, missing, subtotal, weightGrams } = await quoteLines(deps, currency, items, opts);
  const address = cart.shipping_address;
  let shipping: ShippingOption | null = null;
  let shippingUnavailable = false;
  if (address && cart.shipping_option_id) {
    shipping =
      (await deps.shipping.quote(
        cart.shipping_option_id,
        rateRequest(address, weightGrams, subtotal),
        opts,
      )) ?? null;
    shippingUnavailable = shipping === null;
  }
  const promotions = await quoteCartPromotions(deps, cart, lines, shipping, opts);
  const discount = promotions ? promotions.discount : zero(currency);
  const shippingAmount = shipping ? shipping.price : zero(currency);
  let tax = zero(currency);
  let taxRateBps = 0;
  if (address) {
    const t = await deps.pricing.tax(
      address.country,
      taxableAmount(subtotal, discount, shippingAmount),
      opts,
    );
    tax = t.amount;
    taxRateBps = t.rateBps;
  }
  return {
    currency,
    lines,
    missing,
    subtotal,
    weightGrams,
    shipping,
    shippingUnavailable,
    taxRateBps,
    promotions,
    totals: computeTotals(subtotal, discount, shippingAmount, tax),
  };
}

/**
 * ONE promotion evaluation for the whole cart (OR-P1-06): automatic promotions and the cart's codes
 * over its priced lines and chosen shipping. The discount it returns is part of the totals, and
 * tax is charged on what remains (docs/promotions.md).
 */
async function quoteCartPromotions(
  deps: OrderDeps,
  cart: CartRow,
  lines: PricedCart['lines'],
  shipping: ShippingOption | null,
  opts: ReadOptions | undefined,
): Promise<PromotionQuote | null> {
  if (!deps.promotions) return null;
  const priced = lines.filter((l) => l.quote !== undefined);
  if (priced.length === 0 && cart.promotion_codes.length === 0) return null;
  const firstOrder = cart.customer_id ? !(await orderRepository.hasOrder(deps.db, cart.customer_id)) : false;
  return deps.promotions.quote(
    systemCtx(deps.logger, 'order.cart-pricing'),
    {
      currency: cart.currency,
      customerId: cart.customer_id,
      firstOrder,
      codes: cart.promotion_codes,
      lines: priced.map(({ item, product, quote }) => ({
        lineId: item.id,
        sku: item.sku,
        category: product?.category ?? null,
        quantity: item.quantity,
        unitPrice: quote!.unitPrice,
        lineTotal: quote!.lineTotal,
      })),
      shipping: shipping ? shipping.price : null,
    },
    opts,
  );
}

/** Products (one bulk read) and prices (ONE quote) of the cart's lines, with parcel weight. */
export async function quoteLines(
  deps: OrderDeps,
  currency: string,
  items: CartItemRow[],
  opts?: ReadOptions,
) {
  const [products, quote] =
    items.length === 0
      ? [[] as Product[], undefined]
      : await Promise.all([
          deps.catalog.getProductsBySku(
            items.map((i) => i.sku),
            opts,
          ),
          deps.pricing.quote(
            items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
            currency,
            opts,
          ),
        ]);
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const quoteBySku = new Map((quote?.lines ?? []).map((l) => [l.sku, l]));
  const lines = items.map((item) => ({
    item,
    product: bySku.get(item.sku),
    quote: quoteBySku.get(item.sku),
  }));
  return {
    lines,
    missing: quote ? [...quote.missing] : [],
    subtotal: quote ? quote.subtotal : zero(currency),
    weightGrams: parcelWeightGrams(
      lines.map((l) => ({ quantity: l.item.quantity, attributes: l.product?.attributes })),
    ),
  };
}

export const rateRequest = (address: ShippingAddress, weightGrams: number, subtotal: Money): RateRequest => ({
  destination: { country: address.country, postalCode: address.postalCode },
  weightGrams,
  subtotal,
  currency: subtotal.currency,
});

export const totalsJson = (t: Totals) => ({
  subtotal: toJson(t.subtotal),
  discount: toJson(t.discount),
  shipping: toJson(t.shipping),
  tax: toJson(t.tax),
  total: toJson(t.total),
});
