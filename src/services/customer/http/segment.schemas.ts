import { z } from 'zod';
import { cursorQuery, pageLimitQuery } from '../../../platform/http/pagination.js';
import { positiveInt4 } from '../../../platform/validation/integers.js';
import { segmentRulesSchema } from '../domain/segment-rules.js';

/** Schemas of the customer statistics and the segment admin routes (OpenAPI is generated from them). */
const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const description = z
  .string()
  .trim()
  .max(500)
  .regex(/^[^\p{Cc}\n]*$/u, 'must not contain control characters')
  .nullable();

export const customerStatsSchema = z
  .object({
    totalOrders: z
      .number()
      .int()
      .describe('Delivered orders, less cancelled and fully refunded/returned ones'),
    totalSpent: z
      .array(z.object({ amount: z.string(), currency: z.string() }))
      .describe('Per currency, minor units, after refunds'),
    lastOrderAt: z.string().nullable().describe('When the latest kept order was delivered'),
    returns: z.number().int().describe('Completed returns'),
    reconciledAt: z.string().nullable().describe('Last correction by the hourly reconciliation'),
  })
  .describe('Order statistics from the order lifecycle events, reconciled hourly with the order service');

export const segmentSchema = z.object({
  id: z.guid(),
  name: z.string(),
  description: z.string().nullable(),
  rules: segmentRulesSchema,
  active: z.boolean(),
  version: z.number().int(),
  lastEvaluatedAt: z.string().nullable().describe('When the nightly evaluation last finished for it'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const segmentCreateBody = z.object({
  name,
  description: description.optional(),
  rules: segmentRulesSchema,
  active: z.boolean().optional(),
});
export const segmentPatchBody = z.object({
  version: positiveInt4().describe('The version you read (optimistic lock)'),
  name: name.optional(),
  description: description.optional(),
  rules: segmentRulesSchema.optional(),
  active: z.boolean().optional(),
});

export const segmentListQuery = z.object({ limit: pageLimitQuery, cursor: cursorQuery() });
export const segmentListSchema = z.object({
  items: z.array(segmentSchema),
  nextCursor: z.string().nullable(),
});
export const membersSchema = z.object({
  items: z.array(z.object({ customerId: z.guid(), addedAt: z.string() })),
  nextCursor: z.string().nullable(),
});
