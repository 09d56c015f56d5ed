import { z } from 'zod';
import { currencySchema } from '../../../platform/money.js';
import { addItemBody, addressBody } from './order.schemas.js';

const orderId = z.uuid();
const cancelRow = z
  .object({ op: z.literal('cancel'), orderId, reason: z.string().trim().min(1).max(500).optional() })
  .strict();
const confirmRow = z.object({ op: z.literal('confirm'), orderId }).strict();
const createRow = z
  .object({
    op: z.literal('create'),
    customerId: z.uuid().optional().describe("The B2B buyer's customer account (a guest order without it)"),
    currency: currencySchema,
    items: z.array(addItemBody).min(1).max(100),
    shippingAddress: addressBody,
    shippingOptionId: z.string().min(1).max(100).optional().describe('Cheapest offered option when absent'),
    payment: z.object({ method: z.enum(['cod', 'bank_transfer']) }).strict(),
  })
  .strict();

/** Row count is capped by ORDER_BULK_MAX_ROWS in the handler (the setting can change). */
export const bulkBody = z
  .object({
    operations: z
      .array(z.discriminatedUnion('op', [createRow, cancelRow, confirmRow]))
      .min(1)
      .max(10_000),
  })
  .strict();

export const bulkHeaders = z.looseObject({
  'idempotency-key': z.string().max(255).optional().describe('Required when any row creates an order'),
});

export const bulkResultSchema = z.object({
  results: z.array(
    z.object({
      index: z.number(),
      op: z.enum(['create', 'cancel', 'confirm']),
      ok: z.boolean(),
      status: z.number(),
      orderId: z.string().optional(),
      orderStatus: z.string().optional(),
      error: z
        .object({
          code: z.string(),
          detail: z.string(),
          errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
        })
        .optional(),
    }),
  ),
  summary: z.object({ succeeded: z.number(), failed: z.number() }),
});
