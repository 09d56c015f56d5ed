import { z } from 'zod';

/** Schemas of the shipping-option admin routes (configuration of what carts are offered). */
const minorUnits = z.string().regex(/^\d{1,18}$/, 'integer minor units as a string, e.g. "499"');

export const shippingOptionParams = z.object({ id: z.string().min(1).max(64) });

export const shippingOptionBody = z.object({
  name: z.string().trim().min(1).max(100),
  carrier: z.enum(['simcarrier', 'manual']),
  kind: z
    .enum(['flat', 'weight'])
    .describe('flat: baseAmount per parcel; weight: plus perKgAmount per started kg'),
  baseAmount: minorUnits,
  perKgAmount: minorUnits.default('0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code'),
  freeOverAmount: minorUnits.nullable().default(null).describe('Free from this subtotal (option currency)'),
  countries: z
    .array(z.string().regex(/^([A-Z]{2}|\*)$/, "ISO 3166-1 alpha-2 code or '*'"))
    .min(1)
    .max(300)
    .describe("Destinations; '*' is everywhere"),
  maxWeightGrams: z.number().int().positive().nullable().default(null),
  minDays: z.number().int().min(0).max(365),
  maxDays: z.number().int().min(0).max(365),
  active: z.boolean().default(true).describe('false stops offering it'),
});

export const shippingOptionSchema = shippingOptionBody.extend({
  id: z.string(),
  perKgAmount: minorUnits,
  freeOverAmount: minorUnits.nullable(),
  maxWeightGrams: z.number().int().nullable(),
  active: z.boolean(),
  updatedAt: z.string(),
});
