import { toJson } from '../../../platform/money.js';
import type { CartItemRow, CartRow } from '../data/cart.repository.js';
import type { PricedCart } from './cart-pricing.js';
import { totalsJson } from './cart-pricing.js';

/** The cart as the API returns it after every read and mutation. */
export function toCartView(cart: CartRow, priced: PricedCart) {
  return {
    id: cart.id,
    status: cart.status,
    currency: cart.currency,
    version: cart.version,
    items: priced.lines.map(({ item, product, quote }) => ({
      id: item.id,
      sku: item.sku,
      productId: item.product_id,
      name: product?.name ?? null,
      quantity: item.quantity,
      unitPrice: quote ? toJson(quote.unitPrice) : null,
      lineTotal: quote ? toJson(quote.lineTotal) : null,
    })),
    /** Promotions plug in here (issue of the promotion service). */
    discounts: [] as { code: string; amount: ReturnType<typeof toJson> }[],
    unpricedSkus: priced.missing,
    shippingAddress: cart.shipping_address,
    shippingMethod: priced.shipping
      ? {
          id: priced.shipping.id,
          name: priced.shipping.name,
          carrier: priced.shipping.carrier,
          price: toJson(priced.shipping.price),
        }
      : null,
    shippingMethodUnavailable: priced.shippingUnavailable,
    weightGrams: priced.weightGrams,
    taxRateBps: priced.taxRateBps,
    totals: totalsJson(priced.totals),
    createdAt: cart.created_at.toISOString(),
    updatedAt: cart.updated_at.toISOString(),
  };
}

export type CartView = ReturnType<typeof toCartView>;

export type { CartItemRow };
