import { z } from 'zod';
import { cursorQuery, pageLimitQuery } from '../../../platform/http/pagination.js';

/** Schemas of the loyalty routes (the OpenAPI document is generated from them). */
export const historyItemSchema = z.object({
  id: z.guid(),
  kind: z.enum(['earned', 'reversed', 'redeemed', 'released', 'expired', 'adjusted']),
  points: z.number().int().describe('Signed change of the balance'),
  balanceAfter: z.number().int(),
  orderId: z.guid().nullable(),
  shortfall: z.number().int().describe('Points a reversal could not take because the balance was lower'),
  reason: z.string().nullable(),
  occurredAt: z.string(),
});

export const accountSchema = z.object({
  balance: z.number().int().describe('Never negative'),
  tier: z.string().describe('From lifetime points (LOYALTY_TIERS)'),
  lifetimePoints: z.number().int(),
  shortfall: z.number().int().describe('Total points reversals could not take back'),
  history: z.object({
    items: z.array(historyItemSchema).describe('Newest first'),
    nextCursor: z.string().nullable(),
  }),
});

export const historyQuery = z.object({ limit: pageLimitQuery, cursor: cursorQuery() });
export const customerParams = z.object({ customerId: z.string().max(100) });

export const adjustmentBody = z.object({
  points: z
    .number()
    .int()
    .min(-1_000_000_000)
    .max(1_000_000_000)
    .refine((n) => n !== 0, 'must not be 0')
    .describe('Signed: credit (positive) or debit (negative)'),
  reason: z
    .string()
    .trim()
    .min(3)
    .max(500)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .describe('Stored in the audit ledger'),
});
export const adjustmentSchema = historyItemSchema.extend({ actor: z.string() });
