import { toJson, zero } from '../../../platform/money.js';
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
      discount: toJson(priced.promotions?.lineDiscounts.get(item.id) ?? zero(cart.currency)),
    })),
    // Every applied promotion (automatic ones have no code); `totals.discount` is their sum.
    discounts: (priced.promotions?.applied ?? []).map((p) => ({
      promotionId: p.promotionId,
      code: p.code,
      name: p.name,
      type: p.type,
      amount: toJson(p.amount),
      shippingAmount: toJson(p.shippingAmount),
    })),
    // Each entered code: applied, or refused with a stable reason (docs/promotions.md).
    promotionCodes: cart.promotion_codes.map((code) => {
      const refused = priced.promotions?.refused.find((r) => r.code === code);
      if (refused)
        return {
          code,
          status: 'refused' as const,
          reason: refused.reason,
          condition: refused.condition ?? null,
        };
      const applied = priced.promotions?.applied.some((p) => p.code === code) ?? false;
      return applied
        ? { code, status: 'applied' as const, reason: null, condition: null }
        : {
            code,
            status: 'refused' as const,
            reason: 'condition_not_met' as const,
            condition: 'items' as const,
          };
    }),
    // Codes the guest → customer merge dropped because they no longer apply (docs/promotions.md).
    droppedPromotionCodes: cart.dropped_promotion_codes.map((d) => ({ code: d.code, reason: d.reason })),
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
