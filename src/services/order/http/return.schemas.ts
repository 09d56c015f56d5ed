import { z } from 'zod';
import { cursorQuery, pageLimitQuery } from '../../../platform/http/pagination.js';
import { moneySchema } from '../../../platform/money.js';
import { RETURN_STATUSES, STEP_STATES } from '../domain/return-status.js';

export const returnParams = z.object({ id: z.uuid() });

const reasonText = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');

export const requestReturnBody = z
  .object({
    items: z
      .array(
        z
          .object({
            orderItemId: z.uuid().describe('`items[].id` of the order'),
            quantity: z.number().int().min(1).max(999),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    reason: reasonText.optional().describe('Why the items go back (kept with the return and in its events)'),
  })
  .strict();

export const rejectReturnBody = z
  .object({ reason: reasonText.optional().describe('Told to the customer with the rejection') })
  .strict();

const stepState = z.enum(STEP_STATES).nullable();

export const returnSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(RETURN_STATUSES),
  items: z.array(
    z.object({
      orderItemId: z.uuid(),
      sku: z.string(),
      quantity: z.number().int(),
      warehouseId: z.string().describe('Where the units shipped from and are restocked to'),
    }),
  ),
  reason: z.string().nullable(),
  rejectReason: z.string().nullable(),
  refund: moneySchema.describe(
    "The goods' share of what was paid without shipping (docs/order-lifecycle.md)",
  ),
  steps: z
    .object({ restock: stepState, refund: stepState })
    .describe('null until the return is received; then pending → done'),
  requestedAt: z.string(),
  approvedAt: z.string().nullable(),
  rejectedAt: z.string().nullable(),
  receivedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  updatedAt: z.string(),
});

const stepDetail = z.object({
  state: stepState,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
});

export const adminReturnSchema = returnSchema.extend({
  orderStatusBefore: z.enum(['delivered', 'partially_returned']),
  requestedBy: z.string(),
  decidedBy: z.string().nullable(),
  receivedBy: z.string().nullable(),
  stepDetails: z.object({
    restock: stepDetail,
    refund: stepDetail.extend({ refundId: z.string().nullable() }),
    nextAttemptAt: z.string().nullable(),
  }),
});

export const adminReturnListQuery = z
  .object({
    status: z.enum(RETURN_STATUSES).optional(),
    orderId: z.uuid().optional(),
    limit: pageLimitQuery,
    cursor: cursorQuery(),
  })
  .strict();

export const adminReturnListSchema = z.object({
  items: z.array(adminReturnSchema),
  nextCursor: z.string().nullable(),
});
