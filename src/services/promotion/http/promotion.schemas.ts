import { z } from 'zod';
import { cursorQuery, pageLimitQuery } from '../../../platform/http/pagination.js';
import { amountSchema, currencySchema } from '../../../platform/money.js';
import { PROMOTION_TYPES } from '../domain/promotion.js';

export const promotionParams = z.object({ id: z.uuid() });

const when = z.iso.datetime({ offset: true }).describe('ISO 8601 with offset');
const wholeOrDigits = z
  .union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), amountSchema])
  .describe(
    'percentage and buy_x_get_y: a whole percent 0-100 (number; buy_x_get_y: percent off the free units, default 100); fixed: minor units as a string of digits, at most PROMOTION_FIXED_MAX_AMOUNT; free_shipping: omit or 0',
  );

export const conditionsBody = z
  .object({
    minSubtotal: amountSchema
      .optional()
      .describe('Cart subtotal before discounts, minor units of `currency`'),
    skus: z.array(z.string().trim().min(1).max(64)).max(200).optional(),
    categories: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
    segments: z
      .array(z.string().trim().min(1).max(100))
      .max(50)
      .optional()
      .describe('Customer segment ids; 400 segments_unavailable when segments are not available'),
    firstOrder: z.boolean().optional().describe('Only for a customer’s first order'),
  })
  .strict()
  .describe('Every given condition must hold; skus and categories also select the lines discounted');

const fields = {
  code: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .nullable()
    .optional()
    .describe('Case-insensitive (stored upper case); absent or null: an automatic promotion'),
  name: z.string().trim().min(1).max(200),
  type: z.enum(PROMOTION_TYPES),
  value: wholeOrDigits.optional(),
  currency: currencySchema
    .nullable()
    .optional()
    .describe(
      'Required for fixed, minSubtotal and budget; a promotion with a currency applies to carts in it only',
    ),
  buyQuantity: z.number().int().min(1).max(1000).nullable().optional().describe('buy_x_get_y: units to buy'),
  getQuantity: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .nullable()
    .optional()
    .describe('buy_x_get_y: units discounted for every buyQuantity bought (per line)'),
  conditions: conditionsBody.optional(),
  usageLimit: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  perCustomerLimit: z.number().int().min(1).max(1_000_000).nullable().optional(),
  budget: amountSchema.nullable().optional().describe('Total discount cap, minor units of `currency`'),
  startsAt: when.nullable().optional(),
  endsAt: when.nullable().optional(),
  stackable: z.boolean().optional().describe('Default false: exclusive'),
  priority: z.number().int().min(-1000).max(1000).optional().describe('Higher applies first; default 0'),
};

export const createPromotionBody = z.object(fields).strict();
export const updatePromotionBody = z.object(fields).partial().strict();
export type CreatePromotionBody = z.infer<typeof createPromotionBody>;
export type UpdatePromotionBody = z.infer<typeof updatePromotionBody>;

export const promotionSchema = z.object({
  id: z.uuid(),
  code: z.string().nullable(),
  automatic: z.boolean(),
  name: z.string(),
  type: z.enum(PROMOTION_TYPES),
  value: z.union([z.number(), z.string()]).describe('Whole percent (number) or minor units (string, fixed)'),
  currency: z.string().nullable(),
  buyQuantity: z.number().nullable(),
  getQuantity: z.number().nullable(),
  conditions: z.object({
    minSubtotal: z.string().optional(),
    skus: z.array(z.string()).optional(),
    categories: z.array(z.string()).optional(),
    segments: z.array(z.string()).optional(),
    firstOrder: z.boolean().optional(),
  }),
  usageLimit: z.number().nullable(),
  perCustomerLimit: z.number().nullable(),
  budget: z.string().nullable(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  stackable: z.boolean(),
  priority: z.number(),
  state: z.enum(['scheduled', 'active', 'expired']).describe('The validity window as of now'),
  usage: z.object({
    uses: z.number().int().describe('Reserved + confirmed redemptions'),
    discountUsed: z.string().describe('Their discount, minor units'),
  }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const promotionListQuery = z.object({ limit: pageLimitQuery, cursor: cursorQuery() });
export const promotionListSchema = z.object({
  items: z.array(promotionSchema),
  nextCursor: z.string().nullable(),
});

const statsFields = {
  uses: z.number().int().describe('Orders holding the promotion now (reserved or confirmed)'),
  discountGiven: z.string().describe('Their discount, minor units'),
  revenue: z.string().describe('Their order totals after discounts, minor units'),
  confirmedUses: z.number().int().describe('Of `uses`, orders delivered'),
  releasedUses: z.number().int().describe('Redemptions given back (checkout failed, cancelled, refunded)'),
};
export const promotionStatsSchema = z.object({
  ...statsFields,
  currency: z
    .string()
    .nullable()
    .describe('Currency of the money figures: the promotion’s, else the one most of its orders used'),
  byCurrency: z
    .array(z.object({ currency: z.string(), ...statsFields }))
    .describe('Every currency its orders used (a promotion without currency applies to all)'),
});
