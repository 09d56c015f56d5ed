import { z } from 'zod';
import { amountSchema, currencySchema } from '../../../platform/money.js';
import { isCountryCode } from '../../../platform/validation/countries.js';

/**
 * A segment's rules: every condition present must hold (AND). Rules are data, edited at run time
 * through the admin API and evaluated as SQL (data/segment.repository.ts), the same predicate for
 * one customer and for the nightly run over all of them (SEG).
 */
export const segmentRulesSchema = z
  .object({
    totalSpentAtLeast: z
      .object({ amount: amountSchema, currency: currencySchema })
      .strict()
      .optional()
      .describe('Lifetime spend in this currency (minor units), after refunds'),
    ordersAtLeast: z.number().int().min(0).max(1_000_000).optional().describe('Delivered orders kept'),
    lastOrderWithinDays: z.number().int().min(1).max(36_500).optional(),
    countries: z
      .array(z.string().refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 code'))
      .min(1)
      .max(250)
      .optional()
      .describe("Country of the customer's default address"),
    registrationSources: z
      .array(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/))
      .min(1)
      .max(50)
      .optional(),
  })
  .strict()
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'must hold at least one condition');

export type SegmentRules = z.infer<typeof segmentRulesSchema>;
