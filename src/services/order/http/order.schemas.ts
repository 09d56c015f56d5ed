import { z } from 'zod';
import { currencySchema, moneySchema } from '../../../platform/money.js';
import { ADDRESS_LIMITS } from '../../../platform/validation/address.js';
import { CART_STATUSES } from '../domain/cart-status.js';
import { ORDER_STATUSES, PAYMENT_STATUSES } from '../domain/order-status.js';

export const cartParams = z.object({ id: z.uuid() });
export const cartItemParams = z.object({ id: z.uuid(), itemId: z.uuid() });
export const orderParams = z.object({ id: z.uuid() });

export const createCartBody = z.object({ currency: currencySchema }).strict();
export const addItemBody = z
  .object({
    sku: z.string().trim().min(1).max(64),
    quantity: z.number().int().min(1).max(999),
  })
  .strict();
export const updateItemBody = z.object({ quantity: z.number().int().min(1).max(999) }).strict();

const text = (max: number) => z.string().max(max * 2);
const optionalText = (max: number) => text(max).nullable().optional();
/** Shape and rough size here; trimming, exact limits, formats and control characters in domain/address. */
export const addressBody = z
  .object({
    firstName: text(ADDRESS_LIMITS.firstName),
    lastName: text(ADDRESS_LIMITS.lastName),
    line1: text(ADDRESS_LIMITS.line1),
    line2: optionalText(ADDRESS_LIMITS.line2),
    city: text(ADDRESS_LIMITS.city),
    region: optionalText(ADDRESS_LIMITS.region),
    postalCode: text(ADDRESS_LIMITS.postalCode),
    country: z.string().max(8),
    phone: z.string().max(40).nullable().optional(),
  })
  .strict();
export const shippingMethodBody = z.object({ optionId: z.string().min(1).max(100) }).strict();

export const cartHeaders = z.looseObject({
  'x-cart-token': z.string().max(200).optional(),
  'if-match': z.string().max(40).optional(),
});

export const addressSchema = z.object({
  firstName: z.string(),
  lastName: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string(),
  country: z.string(),
  phone: z.string().nullable(),
});

const totalsSchema = z.object({
  subtotal: moneySchema,
  discount: moneySchema.describe(
    'Every applied promotion: goods and shipping discounts (docs/promotions.md)',
  ),
  shipping: moneySchema,
  tax: moneySchema,
  total: moneySchema,
});

const discountSchema = z.object({
  promotionId: z.uuid(),
  code: z.string().nullable().describe('null: an automatic promotion'),
  name: z.string(),
  type: z.string(),
  amount: moneySchema.describe('Goods and shipping discount of this promotion'),
  shippingAmount: moneySchema.describe('Of `amount`, the shipping discount'),
});

export const promotionCodeBody = z.object({ code: z.string().trim().min(1).max(32) }).strict();
export const cartPromotionParams = z.object({ id: z.uuid(), code: z.string().trim().min(1).max(32) });

export const cartSchema = z.object({
  id: z.uuid(),
  status: z.enum(CART_STATUSES),
  currency: z.string(),
  version: z.number().int(),
  items: z.array(
    z.object({
      id: z.uuid(),
      sku: z.string(),
      productId: z.uuid(),
      name: z.string().nullable(),
      quantity: z.number().int(),
      unitPrice: moneySchema.nullable(),
      lineTotal: moneySchema.nullable(),
      discount: moneySchema.describe('This line’s share of the promotions (exact; never above the line)'),
    }),
  ),
  discounts: z.array(discountSchema).describe('Applied promotions in application order'),
  promotionCodes: z
    .array(
      z.object({
        code: z.string(),
        status: z.enum(['applied', 'refused']),
        reason: z
          .enum([
            'unknown_code',
            'not_started',
            'expired',
            'currency_mismatch',
            'sign_in_required',
            'limit_reached',
            'customer_limit_reached',
            'budget_exhausted',
            'condition_not_met',
            'not_combinable',
          ])
          .nullable()
          .describe('Why a code does not apply now (stable codes)'),
        condition: z
          .enum(['min_subtotal', 'items', 'first_order', 'segment'])
          .nullable()
          .describe('With condition_not_met: which condition failed'),
      }),
    )
    .describe('The codes entered with POST /carts/{id}/promotions, each applied or refused'),
  droppedPromotionCodes: z
    .array(
      z.object({
        code: z.string(),
        reason: z
          .string()
          .describe(
            'A refusal reason of promotionCodes (e.g. customer_limit_reached, condition_not_met), or too_many_promotion_codes when the merged cart could not hold it',
          ),
      }),
    )
    .describe(
      'Codes of a guest cart that no longer applied once it was merged into the customer’s cart at login (POST /carts/{id}/merge), dropped; cleared when the cart’s codes change',
    ),
  unpricedSkus: z
    .array(z.string())
    .describe('Items without a price in the cart currency; checkout refuses them'),
  shippingAddress: addressSchema.nullable(),
  shippingMethod: z
    .object({ id: z.string(), name: z.string(), carrier: z.string(), price: moneySchema })
    .nullable(),
  shippingMethodUnavailable: z.boolean(),
  weightGrams: z.number().int(),
  taxRateBps: z.number().int(),
  totals: totalsSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const createdCartSchema = cartSchema.extend({
  cartToken: z
    .string()
    .optional()
    .describe('Guest carts only: send it as X-Cart-Token on every later call; it is shown once'),
});

export const shippingOptionsSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      carrier: z.string(),
      price: moneySchema,
      estimatedDays: z.object({ min: z.number(), max: z.number() }),
    }),
  ),
});

export const checkoutBody = z
  .object({
    cartId: z.uuid(),
    payment: z
      .object({
        method: z.enum(['card', 'cod', 'bank_transfer']),
        token: z.string().min(1).max(200).optional(),
      })
      .strict(),
    loyaltyPoints: z
      .number()
      .int()
      .min(1)
      .max(1_000_000_000)
      .optional()
      .describe(
        'Loyalty points to pay with (customers only): a discount on the merchandise, given back if the checkout fails or the order is cancelled; 409 insufficient_points, 422 points_exceed_order / loyalty_requires_customer',
      ),
  })
  .strict();
export const ownerHeaders = z.looseObject({ 'x-cart-token': z.string().max(200).optional() });
export const checkoutHeaders = z.looseObject({
  'idempotency-key': z.string().optional(),
  'x-cart-token': z.string().max(200).optional(),
});

export const orderSchema = z.object({
  id: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  paymentStatus: z.enum(PAYMENT_STATUSES),
  currency: z.string(),
  items: z.array(
    z.object({
      id: z.uuid(),
      sku: z.string(),
      productId: z.uuid(),
      name: z.string(),
      quantity: z.number().int(),
      unitPrice: moneySchema,
      lineTotal: moneySchema,
      discount: moneySchema.describe('This row’s share of the promotions'),
      warehouseId: z
        .string()
        .describe('The warehouse the units are reserved in; a split item has one row per warehouse'),
    }),
  ),
  totals: totalsSchema,
  discounts: z.array(discountSchema).describe('The promotions the order was placed with'),
  shippingAddress: addressSchema,
  shippingMethod: z.object({ id: z.string(), name: z.string(), carrier: z.string(), price: moneySchema }),
  payment: z.object({ id: z.string(), method: z.enum(['card', 'cod', 'bank_transfer']), status: z.string() }),
  shipments: z
    .array(
      z.object({
        id: z.string(),
        fulfillmentId: z.string().nullable(),
        carrier: z.string(),
        trackingNumber: z.string().nullable(),
        status: z.string(),
        updatedAt: z.string(),
      }),
    )
    .describe(
      'Shipments of the order once its parcels are handed to a carrier (GET /orders/{id}/tracking has their events)',
    ),
  confirmedAt: z.string().nullable(),
  processingAt: z.string().nullable(),
  shippedAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  cancellation: z
    .object({ at: z.string(), by: z.enum(['customer', 'admin', 'system']), reason: z.string().nullable() })
    .nullable(),
  paymentDueAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const limit = z.coerce.number().int().min(1).max(100).default(20);
const cursor = z.string().min(1).max(200).optional();

export const orderListQuery = z.object({ limit, cursor }).strict();
export const orderListSchema = z.object({ items: z.array(orderSchema), nextCursor: z.string().nullable() });

export const adminOrderListQuery = z
  .object({
    status: z.enum(ORDER_STATUSES).optional(),
    customerId: z.uuid().optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO 8601)'),
    limit,
    cursor,
  })
  .strict();

const adminExtras = z.object({
  customerId: z.uuid().nullable(),
  sequence: z.number().int(),
  capture: z
    .object({
      state: z.enum(['scheduled', 'captured', 'failed']),
      attempts: z.number().int(),
      nextAttemptAt: z.string().nullable(),
      lastError: z.string().nullable(),
    })
    .nullable(),
  reservationId: z.string(),
  reservationReleasedAt: z.string().nullable(),
});
export const adminOrderSchema = orderSchema.extend(adminExtras.shape);
export const adminOrderListSchema = z.object({
  items: z.array(adminOrderSchema),
  nextCursor: z.string().nullable(),
});
const trackedShipment = z.object({
  id: z.string(),
  fulfillmentId: z.string().nullable(),
  carrier: z.string(),
  trackingNumber: z.string().nullable(),
  status: z.string(),
  deliveredAt: z.string().nullable(),
  events: z.array(z.object({ status: z.string(), note: z.string().nullable(), occurredAt: z.string() })),
});

export const adminOrderDetailSchema = adminOrderSchema.extend({
  payments: z.array(
    z.object({
      id: z.string(),
      provider: z.string(),
      method: z.string(),
      status: z.string(),
      amount: moneySchema,
      capturedAmount: moneySchema,
      refundedAmount: moneySchema,
    }),
  ),
  tracking: z.array(trackedShipment).describe('Shipments with their tracking events (from shipping)'),
});

export const cancelOrderBody = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .regex(/^[^\p{Cc}]*$/u, 'no control characters')
      .optional()
      .describe('Why the order is cancelled (kept with the order and in the status event)'),
  })
  .strict();

export const trackingSchema = z.object({
  orderId: z.string(),
  status: z.string(),
  shipments: z.array(trackedShipment),
});
