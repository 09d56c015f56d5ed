import { z } from 'zod';
import { moneySchema } from '../../../platform/money.js';
import { PAYMENT_STATUSES } from '../domain/payment-status.js';

/** Request and response schemas of the payment routes (the OpenAPI document is generated from them). */
export const webhookParams = z.object({
  provider: z.string().min(1).max(64).describe('Provider name, e.g. testpay'),
});

export const webhookBody = z
  .string()
  .describe('The provider event exactly as sent; the signature covers these raw bytes');

export const webhookResponse = z.object({
  received: z.literal(true),
  eventId: z.string(),
  outcome: z
    .enum(['applied', 'already_applied', 'ignored_stale'])
    .describe('ignored_stale: the payment had already moved past the event (never moved back)'),
  paymentId: z.guid(),
  status: z.enum(PAYMENT_STATUSES),
});

export const adminPaymentsQuery = z.object({
  orderId: z.guid().describe('The order whose payments to list'),
});

export const adminPayment = z.object({
  id: z.guid(),
  orderId: z.guid(),
  provider: z.string(),
  method: z.enum(['card', 'cod', 'bank_transfer']),
  status: z.enum(PAYMENT_STATUSES),
  amount: moneySchema,
  capturedAmount: moneySchema,
  refundedAmount: moneySchema,
  providerRef: z.string().nullable().describe("The provider's reference (charge id, transfer reference)"),
  failureCode: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const adminPaymentList = z.object({ items: z.array(adminPayment) });

export const paymentParams = z.object({ id: z.guid().describe('The payment id') });
